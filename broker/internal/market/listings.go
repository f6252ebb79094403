package market

// listings are well-known KOSPI and KOSDAQ names, sorted by code (the walk
// draws random numbers in this order, so the order is part of what a seed
// reproduces). Reference prices are illustrative round figures near where
// these stocks traded in 2026 — Samsung Electronics about 200,000 won and
// SK hynix about 1,000,000 after the early-2026 memory rally (KRX closes
// of 2026-02-24 as reported by newspim and Herald), Samsung Biologics about
// 1,650,000 after its November 2025 split — not market data; all are on
// the tick grid.
var listings = []Instrument{
	{"000270", "기아", "KOSPI", 128_000},
	{"000660", "SK하이닉스", "KOSPI", 985_000},
	{"003550", "LG", "KOSPI", 92_300},
	{"005380", "현대차", "KOSPI", 350_000},
	{"005490", "POSCO홀딩스", "KOSPI", 345_000},
	{"005930", "삼성전자", "KOSPI", 198_000},
	{"006400", "삼성SDI", "KOSPI", 355_000},
	{"012330", "현대모비스", "KOSPI", 395_000},
	{"028260", "삼성물산", "KOSPI", 265_000},
	{"035420", "NAVER", "KOSPI", 255_000},
	{"035720", "카카오", "KOSPI", 61_200},
	{"051910", "LG화학", "KOSPI", 365_000},
	{"055550", "신한지주", "KOSPI", 78_500},
	{"066570", "LG전자", "KOSPI", 96_500},
	{"068270", "셀트리온", "KOSPI", 182_000},
	{"086520", "에코프로", "KOSDAQ", 102_000},
	{"105560", "KB금융", "KOSPI", 128_000},
	{"196170", "알테오젠", "KOSDAQ", 475_000},
	{"207940", "삼성바이오로직스", "KOSPI", 1_650_000},
	{"247540", "에코프로비엠", "KOSDAQ", 158_000},
	{"373220", "LG에너지솔루션", "KOSPI", 415_000},
}

// Listings is the one stock table of the simulated market: the paper
// exchange lists it, and the KIS and Kiwoom fakes list it unless a test
// gives its own, so a name and a price are the same whichever one answers
// (the help's "/buy 005930 3 198000" is inside the day's limits on all
// three). It returns a copy, sorted by code.
func Listings() []Instrument {
	return append([]Instrument(nil), listings...)
}
