package kis

import "encoding/json"

func jsonErr(body string, v any) error { return json.Unmarshal([]byte(body), v) }
