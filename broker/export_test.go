package broker

// OnJoin sets s's test hook, told each time a caller starts waiting for a
// walk.
func OnJoin(s *SharedList, f func()) { s.joined = f }
