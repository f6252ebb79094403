package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
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
// in one go instead of one per start.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// configError is returned for invalid settings; run maps it to exit status 2.
type configError struct{ lines []string }

func (e *configError) Error() string {
	return "invalid configuration:\n  " + strings.Join(e.lines, "\n  ")
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
	var probs problems
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
		if err := setField(v.Field(i), strings.TrimSpace(raw)); err != nil {
			probs.addf("%s=%q: %v", key, raw, err)
		}
	}
	cfg.validate(&probs)
	cfg.warnings = unknownSettings(getenv, dotenv)
	if len(probs) > 0 {
		return nil, &configError{lines: probs}
	}
	return &cfg, nil
}

func setField(f reflect.Value, raw string) error {
	if raw == "" {
		return nil
	}
	switch f.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return errors.New("not a duration (e.g. 10s, 1m)")
		}
		if d < 0 {
			return errors.New("must not be negative")
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(strings.ReplaceAll(raw, "_", ""), 10, 64)
		if err != nil {
			return errors.New("not a whole number")
		}
		f.SetInt(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return errors.New("not a number")
		}
		f.SetFloat(x)
	default:
		return fmt.Errorf("unsupported setting type %s", f.Type())
	}
	return nil
}

func (c *Config) validate(p *problems) {
	c.Broker = strings.ToLower(c.Broker)
	c.Mode = strings.ToLower(c.Mode)
	switch c.Broker {
	case "paper":
	case "kis":
		if c.KISAppKey == "" || c.KISAppSecret == "" {
			p.addf("HOGA_BROKER=kis needs HOGA_KIS_APP_KEY and HOGA_KIS_APP_SECRET (from apiportal.koreainvestment.com)")
		}
		if !validKISAccount(c.KISAccount.Reveal()) {
			p.addf("HOGA_KIS_ACCOUNT must be the account number as 12345678-01 (8 digits, dash, 2-digit product code)")
		}
	case "kiwoom":
		if c.KiwoomAppKey == "" || c.KiwoomSecretKey == "" {
			p.addf("HOGA_BROKER=kiwoom needs HOGA_KIWOOM_APP_KEY and HOGA_KIWOOM_SECRET_KEY (from openapi.kiwoom.com)")
		}
	default:
		p.addf("HOGA_BROKER=%q: must be paper, kis or kiwoom", c.Broker)
	}
	switch c.Mode {
	case "mock", "live":
	default:
		p.addf("HOGA_MODE=%q: must be mock (모의투자) or live (실전)", c.Mode)
	}
	if c.Broker == "paper" && c.Mode == "live" {
		p.addf("HOGA_MODE=live needs a real broker: set HOGA_BROKER=kis or kiwoom")
	}
	c.allowed = map[string]bool{}
	for _, id := range strings.Split(c.TelegramAllowedUsers, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
			p.addf("HOGA_TELEGRAM_ALLOWED_USERS: %q is not a numeric Telegram user id (hoga setup learns yours from a /start)", id)
			continue
		}
		c.allowed[id] = true
	}
	if c.TelegramToken != "" && len(c.allowed) == 0 {
		p.addf("HOGA_TELEGRAM_TOKEN is set but HOGA_TELEGRAM_ALLOWED_USERS is empty: list the user ids allowed to command hoga (hoga setup learns yours from a /start)")
	}
	if c.Mode == "live" && c.TelegramToken != "" && len(c.allowed) == 0 {
		p.addf("HOGA_MODE=live refuses to start without HOGA_TELEGRAM_ALLOWED_USERS")
	}
	if c.TelegramAlertChat != "" {
		chat, topic, hasTopic := strings.Cut(c.TelegramAlertChat, ":")
		if _, err := strconv.ParseInt(chat, 10, 64); err != nil {
			p.addf("HOGA_TELEGRAM_ALERT_CHAT=%q: chat id must be a number (groups are negative, e.g. -1001234567890)", c.TelegramAlertChat)
		} else if hasTopic {
			if n, err := strconv.ParseInt(topic, 10, 64); err != nil || n <= 0 {
				p.addf("HOGA_TELEGRAM_ALERT_CHAT=%q: topic id after ':' must be a positive number", c.TelegramAlertChat)
			}
		}
	}
	if _, err := telegram.ParseKeyboard(c.TelegramKeyboard); err != nil {
		p.addf("HOGA_TELEGRAM_KEYBOARD: %v", err)
	}
	if c.HTTPAddr != "" {
		host, _, err := net.SplitHostPort(c.HTTPAddr)
		if err != nil {
			p.addf("HOGA_HTTP_ADDR=%q: must be host:port, e.g. 127.0.0.1:8080", c.HTTPAddr)
		} else if !isLoopback(host) && c.HTTPToken == "" {
			p.addf("HOGA_HTTP_ADDR=%q listens beyond this machine: set HOGA_HTTP_TOKEN", c.HTTPAddr)
		} else if _, err := httpapi.CheckListen(c.HTTPAddr, c.HTTPToken.Reveal()); err != nil {
			// The HTTP API's own check, so start-up, hoga check and the
			// server refuse the same settings (issue 12.11).
			p.addf("HOGA_HTTP_ADDR: %s", strings.TrimPrefix(err.Error(), "httpapi: "))
		}
	}
	if c.MaxOrderKRW <= 0 {
		p.addf("HOGA_MAX_ORDER_KRW must be positive")
	}
	if c.MaxDailyOrders <= 0 {
		p.addf("HOGA_MAX_DAILY_ORDERS must be positive")
	}
	switch strings.ToLower(c.MarketHours) {
	case "":
		c.marketHours = c.Broker != "paper"
	case "krx":
		c.marketHours = true
	case "always":
		c.marketHours = false
	default:
		p.addf("HOGA_MARKET_HOURS=%q: must be krx or always", c.MarketHours)
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
			p.addf("HOGA_VENUE=%q: must be krx, nxt or sor", c.Venue)
		case !c.venues.Supports(v):
			p.addf("HOGA_VENUE=%q: a mock (모의투자) account trades on KRX only", c.Venue)
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
			p.addf("HOGA_HOLIDAYS: %q is not a YYYY-MM-DD date", d)
			continue
		}
		c.holidays = append(c.holidays, d)
	}
	if err := c.logLevel.UnmarshalText([]byte(c.LogLevel)); err != nil {
		p.addf("HOGA_LOG_LEVEL=%q: must be debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		p.addf("HOGA_LOG_FORMAT=%q: must be text or json", c.LogFormat)
	}
	lang, err := bot.ParseLang(c.Lang)
	if err != nil {
		p.addf("HOGA_LANG=%q: must be ko or en", c.Lang)
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
		p.addf("HOGA_KIS_RPS and HOGA_KIWOOM_RPS must be at most 1000 (KIS allows 20/s live, 2/s mock)")
	}
	if c.PaperCash < 0 {
		p.addf("HOGA_PAPER_CASH must not be negative")
	}

	c.reportAt = -1
	if c.ReportTime != "off" {
		if at, err := time.Parse("15:04", c.ReportTime); err != nil || len(c.ReportTime) != 5 {
			p.addf("HOGA_REPORT_TIME=%q: must be HH:MM (KST), e.g. 15:40, or off", c.ReportTime)
		} else {
			c.reportAt = time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute
		}
	}
	switch c.ExitOrder {
	case "market", "limit":
	default:
		p.addf("HOGA_EXIT_ORDER=%q: must be market or limit", c.ExitOrder)
	}
	switch c.Confirm {
	case "live", "always":
	default:
		p.addf("HOGA_CONFIRM=%q: must be live or always", c.Confirm)
	}

	if c.KISRPS < 0 || c.KiwoomRPS < 0 {
		p.addf("HOGA_KIS_RPS and HOGA_KIWOOM_RPS must not be negative")
	}
	alerts, err := bot.ParseAlertSettings(c.Alerts)
	if err != nil {
		p.addf("HOGA_ALERTS: %v", err)
	}
	c.alerts = alerts
	if _, err := broker.NewCalendar(c.holidays); err != nil {
		p.addf("HOGA_HOLIDAYS: %v", err)
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

func isLoopback(host string) bool {
	if host == "localhost" {
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
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		// A FIFO would block the open until a writer came (issue 20, item 2).
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseDotEnv(io.LimitReader(f, maxDotEnvSize), path)
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
			return nil, fmt.Errorf("%s:%d: expected KEY=VALUE", name, n)
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
		p.addf("%s=%s: must be between %s and %s", key, d, lo, hi)
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
