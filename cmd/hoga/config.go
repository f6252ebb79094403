package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/httpapi"
	"github.com/hoga-trade/hoga/bot/telegram"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/internal/redact"
)

// Config is every setting, read from HOGA_* variables. The tags are
// envconfig's: `hoga config` prints this table with envconfig.Usagef.
type Config struct {
	Broker string `envconfig:"BROKER" default:"paper" desc:"paper, kis or kiwoom"`
	Mode   string `envconfig:"MODE" default:"mock" desc:"mock (모의투자) or live (실전)"`

	KISAppKey    redact.Secret `envconfig:"KIS_APP_KEY" desc:"KIS app key"`
	KISAppSecret redact.Secret `envconfig:"KIS_APP_SECRET" desc:"KIS app secret"`
	KISAccount   redact.Secret `envconfig:"KIS_ACCOUNT" desc:"KIS account, 12345678-01"`
	KISBaseURL   string        `envconfig:"KIS_BASE_URL" desc:"override the KIS REST host"`
	KISWSURL     string        `envconfig:"KIS_WS_URL" desc:"override the KIS WebSocket host"`
	KISHTSID     string        `envconfig:"KIS_HTS_ID" desc:"HTS id that KIS fill notices (H0STCNI0/9) are keyed by; empty: fills by polling only"`
	KISRPS       float64       `envconfig:"KIS_RPS" desc:"KIS requests per second your app key is allowed (default 20 live, 2 mock); hoga paces at 90% of it"`

	KiwoomAppKey    redact.Secret `envconfig:"KIWOOM_APP_KEY" desc:"Kiwoom app key"`
	KiwoomSecretKey redact.Secret `envconfig:"KIWOOM_SECRET_KEY" desc:"Kiwoom secret key"`
	KiwoomBaseURL   string        `envconfig:"KIWOOM_BASE_URL" desc:"override the Kiwoom REST host"`
	KiwoomWSURL     string        `envconfig:"KIWOOM_WS_URL" desc:"override the Kiwoom WebSocket host"`
	KiwoomRPS       float64       `envconfig:"KIWOOM_RPS" desc:"Kiwoom requests per second per API (default 4)"`

	TelegramToken        redact.Secret `envconfig:"TELEGRAM_TOKEN" desc:"bot token; empty means console mode"`
	TelegramAPIURL       string        `envconfig:"TELEGRAM_API_URL" default:"https://api.telegram.org" desc:"Bot API server"`
	TelegramAllowedUsers string        `envconfig:"TELEGRAM_ALLOWED_USERS" desc:"comma-separated user ids allowed to command"`
	TelegramAlertChat    string        `envconfig:"TELEGRAM_ALERT_CHAT" desc:"alert chat id, or chatid:topicid"`
	// TelegramOfflineAfter: hoga never trades on its own without a working
	// control surface (issue 19, item 5).
	TelegramOfflineAfter time.Duration `envconfig:"TELEGRAM_OFFLINE_AFTER" default:"3m" desc:"Telegram unreachable this long pauses the strategy until it is back"`
	TelegramKeyboard     string        `envconfig:"TELEGRAM_KEYBOARD" default:"/price 005930,/balance,/orders|/orders open,/status,/halt" desc:"reply keyboard of commands: buttons separated by commas, rows by |; off for none"`

	DataDir   string `envconfig:"DATA_DIR" default:"./data" desc:"SQLite database and state"`
	RulesFile string `envconfig:"RULES_FILE" desc:"strategy rules file (YAML)"`

	HTTPAddr  string        `envconfig:"HTTP_ADDR" desc:"HTTP API listen address; empty is off"`
	HTTPToken redact.Secret `envconfig:"HTTP_TOKEN" desc:"HTTP API bearer token"`

	MaxOrderKRW    int64  `envconfig:"MAX_ORDER_KRW" default:"1000000" desc:"largest order in won"`
	MaxDailyOrders int    `envconfig:"MAX_DAILY_ORDERS" default:"20" desc:"most orders per KST day"`
	MarketHours    string `envconfig:"MARKET_HOURS" desc:"krx or always (default krx; always with the paper broker)"`
	Venue          string `envconfig:"VENUE" desc:"default venue: krx, nxt or sor (default sor on a live account, krx otherwise)"`
	Holidays       string `envconfig:"HOLIDAYS" desc:"extra KRX closed dates, YYYY-MM-DD,…"`

	LogLevel  string `envconfig:"LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`
	LogFormat string `envconfig:"LOG_FORMAT" default:"text" desc:"text or json"`
	Lang      string `envconfig:"LANG" default:"ko" desc:"reply language, ko or en"`

	BrokerTimeout    time.Duration `envconfig:"BROKER_TIMEOUT" default:"10s" desc:"bound on one broker request"`
	PaperCash        int64         `envconfig:"PAPER_CASH" default:"10000000" desc:"paper broker starting cash"`
	PaperSeed        int64         `envconfig:"PAPER_SEED" desc:"paper price walk seed (0 = random)"`
	StrategyInterval time.Duration `envconfig:"STRATEGY_INTERVAL" default:"2s" desc:"price polling interval for rules"`
	ExitOrder        string        `envconfig:"EXIT_ORDER" default:"market" desc:"market or limit (marketable, 1% below the price): how a triggered stop-loss/take-profit sells"`
	ReportTime       string        `envconfig:"REPORT_TIME" default:"15:40" desc:"KST time of the daily close report to the alert chat (HH:MM; never before the day's close plus 10 minutes; off: none)"`
	Confirm          string        `envconfig:"CONFIRM" default:"live" desc:"live (confirm live orders) or always"`
	ConfirmTTL       time.Duration `envconfig:"CONFIRM_TTL" default:"60s" desc:"confirmation button lifetime"`
	StaleAfter       time.Duration `envconfig:"STALE_AFTER" default:"60s" desc:"chat commands older than this are not executed"`
	Alerts           string        `envconfig:"ALERTS" desc:"per-type alerts, e.g. orders=on,strategy=on,errors=on,system=silent"`

	// Derived by validate.
	allowed     map[string]bool
	alerts      bot.AlertSettings
	holidays    []string
	marketHours bool
	venues      broker.VenueSupport // what the broker and mode can trade on
	venue       broker.Venue        // the default venue
	lang        bot.Lang
	reportAt    time.Duration // HOGA_REPORT_TIME after KST midnight; negative: off
	logLevel    slog.Level
	// warnings are lines for the log once it exists: unknown HOGA_* names.
	warnings []string
	// set records which settings were given (environment or .env) rather
	// than defaulted.
	set map[string]bool
}

// problems collects one line per invalid setting, so a user fixes them all
// in one go instead of one per start. Lines are said in lang.
type problems struct {
	lang  bot.Lang
	lines []string
	keys  []string // configTexts keys of lines, for tests
}

// add appends the line configTexts has under key.
func (p *problems) add(key string, args ...any) {
	p.lines = append(p.lines, cfgt(p.lang, key, args...))
	p.keys = append(p.keys, key)
}

// addf appends a line worded by the caller (setup's flags).
func (p *problems) addf(format string, args ...any) {
	p.lines = append(p.lines, fmt.Sprintf(format, args...))
}

// configError is returned for invalid settings; run maps it to exit status
// 2. Its lines are already in lang; lang words the header.
type configError struct {
	lang  bot.Lang
	lines []string
	keys  []string // configTexts keys of lines, where known
}

func (e *configError) Error() string {
	return cfgt(e.lang, "header") + "\n  " + strings.Join(e.lines, "\n  ")
}

// loadConfig reads HOGA_* settings through getenv, with a .env file's
// values underneath (the real environment wins).
//
// The fields carry envconfig's tags and `hoga config` prints them with
// envconfig.Usagef, but values are decoded here: envconfig.Process reads
// only os.LookupEnv and stops at the first bad value, while hoga needs an
// injected environment (tests call run directly) and one line per problem.
func loadConfig(getenv func(string) string, dotenv map[string]string) (*Config, error) {
	lookup := func(key string) (string, bool) {
		if v := getenv(key); v != "" {
			return v, true
		}
		v, ok := dotenv[key]
		return v, ok
	}
	cfg := Config{set: map[string]bool{}}
	// The lines are in HOGA_LANG's language even when HOGA_LANG is itself
	// one of the problems (then Korean).
	rawLang, _ := lookup("HOGA_LANG")
	probs := problems{lang: startLang(rawLang)}
	v := reflect.ValueOf(&cfg).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("envconfig")
		if name == "" {
			continue
		}
		key := "HOGA_" + name
		raw, ok := lookup(key)
		if !ok {
			raw = f.Tag.Get("default")
		} else {
			cfg.set[key] = true
		}
		if bad := setField(v.Field(i), strings.TrimSpace(raw)); bad != "" {
			probs.add(bad, key, raw)
		}
	}
	cfg.validate(&probs)
	cfg.warnings = unknownSettings(getenv, dotenv)
	if len(probs.lines) > 0 {
		return nil, &configError{lang: probs.lang, lines: probs.lines, keys: probs.keys}
	}
	return &cfg, nil
}

// setField decodes raw into f; on a bad value it returns the configTexts
// key that says so, "" when the value is good.
func setField(f reflect.Value, raw string) string {
	if raw == "" {
		return ""
	}
	switch f.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return "field.duration"
		}
		if d < 0 {
			return "field.negative"
		}
		f.SetInt(int64(d))
		return ""
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(strings.ReplaceAll(raw, "_", ""), 10, 64)
		if err != nil {
			return "field.int"
		}
		f.SetInt(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return "field.float"
		}
		f.SetFloat(x)
	default:
		return "field.type"
	}
	return ""
}

func (c *Config) validate(p *problems) {
	c.Broker = strings.ToLower(c.Broker)
	c.Mode = strings.ToLower(c.Mode)
	switch c.Broker {
	case "paper":
	case "kis":
		if c.KISAppKey == "" || c.KISAppSecret == "" {
			p.add("kis.keys")
		}
		if !validKISAccount(c.KISAccount.Reveal()) {
			p.add("kis.account")
		}
	case "kiwoom":
		if c.KiwoomAppKey == "" || c.KiwoomSecretKey == "" {
			p.add("kiwoom.keys")
		}
	default:
		p.add("broker", c.Broker)
	}
	switch c.Mode {
	case "mock", "live":
	default:
		p.add("mode", c.Mode)
	}
	if c.Broker == "paper" && c.Mode == "live" {
		p.add("paper.live")
	}
	c.allowed = map[string]bool{}
	for _, id := range strings.Split(c.TelegramAllowedUsers, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
			p.add("allowed.id", id)
			continue
		}
		c.allowed[id] = true
	}
	if c.TelegramToken != "" && len(c.allowed) == 0 {
		p.add("allowed.empty")
	}
	if c.Mode == "live" && c.TelegramToken != "" && len(c.allowed) == 0 {
		p.add("live.allowed")
	}
	if c.TelegramAlertChat != "" {
		chat, topic, hasTopic := strings.Cut(c.TelegramAlertChat, ":")
		if _, err := strconv.ParseInt(chat, 10, 64); err != nil {
			p.add("alert.chat", c.TelegramAlertChat)
		} else if hasTopic {
			if n, err := strconv.ParseInt(topic, 10, 64); err != nil || n <= 0 {
				p.add("alert.topic", c.TelegramAlertChat)
			}
		}
	}
	if _, err := telegram.ParseKeyboard(c.TelegramKeyboard); err != nil {
		var ke *telegram.KeyboardError
		switch {
		case errors.As(err, &ke) && len(ke.Bad) > 0:
			p.add("keyboard.bad", ke.Bad, strings.Join(ke.Valid, ", /"))
		default:
			p.add("keyboard.empty", c.TelegramKeyboard)
		}
	}
	if c.HTTPAddr != "" {
		host, _, err := net.SplitHostPort(c.HTTPAddr)
		if err != nil {
			p.add("http.hostport", c.HTTPAddr)
		} else if !isLoopback(host) && c.HTTPToken == "" {
			p.add("http.no_token", c.HTTPAddr)
		} else if _, err := httpapi.CheckListen(c.HTTPAddr, c.HTTPToken.Reveal()); err != nil {
			// The HTTP API's own check, so start-up, hoga check and the
			// server refuse the same settings (issue 12.11); each of its
			// rules has its line here.
			switch {
			case errors.Is(err, httpapi.ErrNoPort):
				p.add("http.no_port", c.HTTPAddr)
			case errors.Is(err, httpapi.ErrPortRange), errors.Is(err, httpapi.ErrPortName):
				p.add("http.port", c.HTTPAddr)
			case errors.Is(err, httpapi.ErrNoToken):
				p.add("http.no_token", c.HTTPAddr)
			case errors.Is(err, httpapi.ErrShortToken):
				p.add("http.short", httpapi.MinTokenLen)
			case errors.Is(err, httpapi.ErrTokenSpaces):
				p.add("http.spaces")
			default:
				p.add("http.hostport", c.HTTPAddr)
			}
		}
	}
	// The clients refuse these too, but at start-up and in English; here
	// hoga check and start say it with the other problems.
	for _, u := range []struct{ key, val, example string }{
		{"HOGA_KIS_BASE_URL", c.KISBaseURL, kis.MockBaseURL},
		{"HOGA_KIWOOM_BASE_URL", c.KiwoomBaseURL, kiwoom.MockURL},
		{"HOGA_TELEGRAM_API_URL", c.TelegramAPIURL, telegram.DefaultAPIURL},
	} {
		if u.val == "" {
			continue
		}
		if pu, err := url.Parse(u.val); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			p.add("url", u.key, u.val, u.example)
		}
	}
	if c.MaxOrderKRW <= 0 {
		p.add("max_order")
	}
	if c.MaxDailyOrders <= 0 {
		p.add("max_daily")
	}
	switch strings.ToLower(c.MarketHours) {
	case "":
		c.marketHours = c.Broker != "paper"
	case "krx":
		c.marketHours = true
	case "always":
		c.marketHours = false
	default:
		p.add("market_hours", c.MarketHours)
	}
	// Venues: a live KIS or Kiwoom account trades on KRX, NXT and SOR; a mock
	// one on KRX only (broker.MockVenues cites the sources). The paper
	// broker simulates any of them but defaults to KRX.
	c.venues, c.venue = broker.MockVenues, broker.VenueKRX
	switch {
	case c.Broker == "paper":
		c.venues = broker.LiveVenues
	case c.Mode == "live":
		c.venues, c.venue = broker.LiveVenues, broker.VenueSOR
	}
	if c.Venue != "" {
		v, err := broker.ParseVenue(c.Venue)
		switch {
		case err != nil:
			p.add("venue", c.Venue)
		case !c.venues.Supports(v):
			p.add("venue.mock", c.Venue)
		default:
			c.venue = v
		}
	}
	for _, d := range strings.Split(c.Holidays, ",") {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			p.add("holiday", d)
			continue
		}
		c.holidays = append(c.holidays, d)
	}
	if err := c.logLevel.UnmarshalText([]byte(c.LogLevel)); err != nil {
		p.add("log_level", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		p.add("log_format", c.LogFormat)
	}
	lang, err := bot.ParseLang(c.Lang)
	if err != nil {
		p.add("lang", c.Lang)
	}
	c.lang = lang
	// Values outside these ranges were accepted and made hoga useless or
	// dangerous in silence: a 1 ns timeout fails every request (issue 21,
	// item 7).
	durationIn(p, "HOGA_BROKER_TIMEOUT", c.BrokerTimeout, 100*time.Millisecond, 10*time.Minute)
	durationIn(p, "HOGA_CONFIRM_TTL", c.ConfirmTTL, 5*time.Second, 24*time.Hour)
	durationIn(p, "HOGA_STALE_AFTER", c.StaleAfter, time.Second, 24*time.Hour)
	durationIn(p, "HOGA_TELEGRAM_OFFLINE_AFTER", c.TelegramOfflineAfter, 10*time.Second, 24*time.Hour)
	durationIn(p, "HOGA_STRATEGY_INTERVAL", c.StrategyInterval, 100*time.Millisecond, time.Hour)
	if c.KISRPS > 1000 || c.KiwoomRPS > 1000 {
		p.add("rps.max")
	}
	if c.PaperCash < 0 {
		p.add("paper_cash")
	}

	c.reportAt = -1
	if c.ReportTime != "off" {
		if at, err := time.Parse("15:04", c.ReportTime); err != nil || len(c.ReportTime) != 5 {
			p.add("report_time", c.ReportTime)
		} else {
			c.reportAt = time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute
		}
	}
	switch c.ExitOrder {
	case "market", "limit":
	default:
		p.add("exit_order", c.ExitOrder)
	}
	switch c.Confirm {
	case "live", "always":
	default:
		p.add("confirm", c.Confirm)
	}

	if c.KISRPS < 0 || c.KiwoomRPS < 0 {
		p.add("rps.negative")
	}
	alerts, err := bot.ParseAlertSettings(c.Alerts)
	if ae := (*bot.AlertSettingError)(nil); errors.As(err, &ae) {
		switch ae.Wrong {
		case "form":
			p.add("alerts.form", ae.Part)
		case "type":
			p.add("alerts.type", ae.Type)
		default:
			p.add("alerts.level", ae.Level, ae.Type)
		}
	} else if err != nil {
		p.add("alerts.form", c.Alerts)
	}
	c.alerts = alerts
	if _, err := broker.NewCalendar(c.holidays); err != nil {
		// Not reached: c.holidays holds only dates that parsed above.
		p.add("holiday", c.Holidays)
	}
}

// validKISAccount checks the 12345678-01 shape without echoing the number.
func validKISAccount(s string) bool {
	if len(s) != 11 || s[8] != '-' {
		return false
	}
	for i, c := range s {
		if i != 8 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// isLoopback: an empty host is loopback because the HTTP API listens on
// 127.0.0.1 then (httpapi.CheckListen); ":8080" was refused here as
// "beyond this machine" while the server would have kept it local.
func isLoopback(host string) bool {
	if host == "" || host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readDotEnv parses KEY=VALUE lines of a .env file; a missing file is no
// error. Quotes around a value are removed; # starts a comment line.
func readDotEnv(path string) (map[string]string, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &dotEnvError{path: path, err: err}
	}
	if !fi.Mode().IsRegular() {
		// A FIFO would block the open until a writer came (issue 20, item 2).
		return nil, &dotEnvError{path: path, mode: fi.Mode().Type()}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &dotEnvError{path: path, err: err}
	}
	defer f.Close()
	out, err := parseDotEnv(io.LimitReader(f, maxDotEnvSize), path)
	if err != nil && !errors.As(err, new(*dotEnvError)) {
		return nil, &dotEnvError{path: path, err: err}
	}
	return out, err
}

// dotEnvError is a .env hoga cannot use: not a regular file (mode), a
// line that is not KEY=VALUE (line), or the system's error reading it.
type dotEnvError struct {
	path string
	mode fs.FileMode
	line int
	err  error
}

func (e *dotEnvError) Error() string { return e.text(bot.English) }

func (e *dotEnvError) Unwrap() error { return e.err }

// text says what is wrong with the file, and what to do, in lang.
func (e *dotEnvError) text(lang bot.Lang) string {
	switch {
	case e.line > 0:
		return cfgt(lang, "dotenv.line", e.path, e.line)
	case e.err != nil:
		return cfgt(lang, "dotenv.read", e.path, osReason(lang, e.err))
	}
	return cfgt(lang, "dotenv.irregular", e.path, e.mode)
}

// dotEnvProblem is the configError for a .env that cannot be read, in the
// language the environment's HOGA_LANG asks for (.env's cannot be known).
func dotEnvProblem(getenv func(string) string, err error) error {
	lang := startLang(getenv("HOGA_LANG"))
	line := err.Error()
	if de := (*dotEnvError)(nil); errors.As(err, &de) {
		line = de.text(lang)
	}
	return &configError{lang: lang, lines: []string{line}}
}

// maxDotEnvSize bounds what is read of .env; a settings file is a few KB.
const maxDotEnvSize = 1 << 20

func parseDotEnv(r io.Reader, name string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if n == 1 {
			// Windows editors (Notepad) save UTF-8 with a byte-order mark;
			// left on, it made the first key "\ufeffHOGA_…", silently
			// dropping that setting (issue 21, item 7).
			text = strings.TrimPrefix(text, "\ufeff")
		}
		line := strings.TrimSpace(text)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, &dotEnvError{path: name, line: n}
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		out[k] = v
	}
	return out, sc.Err()
}

// printUsage prints every setting, its default and meaning.
func printUsage(w io.Writer) error {
	const format = `hoga settings (environment variables, or a .env file in the working directory):
{{range .}}  {{usage_key .}}{{if usage_default .}} (default {{usage_default .}}){{end}}
      {{usage_description .}}
{{end}}`
	return envconfig.Usagef("HOGA", &Config{}, w, format)
}

// durationIn adds a problem when d is outside [lo, hi].
func durationIn(p *problems, key string, d, lo, hi time.Duration) {
	if d < lo || d > hi {
		p.add("duration", key, plainDuration(d), plainDuration(lo), plainDuration(hi))
	}
}

// knownSettings lists every HOGA_* name Config reads.
func knownSettings() []string {
	var out []string
	t := reflect.TypeFor[Config]()
	for i := 0; i < t.NumField(); i++ {
		if name := t.Field(i).Tag.Get("envconfig"); name != "" {
			out = append(out, "HOGA_"+name)
		}
	}
	return out
}

// unknownSettings returns a warning for every HOGA_* name in .env or in the
// environment that hoga does not read, with the nearest known name: a
// misspelt HOGA_MAX_ORDER_WON was ignored without a word and the default
// limit applied (issue 21, item 7). The environment is listed from
// os.Environ but only names getenv also sees count, so a test's injected
// environment is not mixed with the test process's own.
func unknownSettings(getenv func(string) string, dotenv map[string]string) []string {
	known := knownSettings()
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	names := map[string]string{}
	for k := range dotenv {
		names[k] = ".env"
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if v != "" && getenv(k) == v {
			names[k] = "environment"
		}
	}
	var out []string
	for k, where := range names {
		if !strings.HasPrefix(k, "HOGA_") || isKnown[k] {
			continue
		}
		best, bestD := "", 1<<30
		for _, c := range known {
			if d := editDistance(k, c); d < bestD {
				best, bestD = c, d
			}
		}
		out = append(out, fmt.Sprintf("%s (in %s) is not a hoga setting and is ignored; did you mean %s? (hoga config lists them all)", k, where, best))
	}
	slices.Sort(out)
	return out
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
