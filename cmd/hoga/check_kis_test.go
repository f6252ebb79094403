package main

import (
	"bytes"
	"context"
	"github.com/hoga-trade/hoga/bot"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/broker/tokencache"
)

// TestCheckAgainstFakeKIS runs the broker check with the real KIS client
// against the fake KIS server: token, quote and balance over the wire.
func TestCheckAgainstFakeKIS(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{RateLimit: -1})
	appKey, appSecret, account := fake.Credentials()
	for _, tc := range []struct {
		name   string
		secret string
		want   *regexp.Regexp
	}{
		{"ok", appSecret, regexp.MustCompile(`^OK   broker kis \(mock\): token valid until \d\d-\d\d \d\d:\d\d KST, 005930 = [\d,]+ won, account cash 10,000,000 won$`)},
		{"wrong_secret", "not-the-secret", regexp.MustCompile(`^FAIL broker kis \(mock\): token: auth .* — check HOGA_KIS_APP_KEY and HOGA_KIS_APP_SECRET \(mock and live apps have different keys; HOGA_MODE=mock\)$`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			env := map[string]string{
				"HOGA_BROKER":         "kis",
				"HOGA_KIS_APP_KEY":    appKey,
				"HOGA_KIS_APP_SECRET": tc.secret,
				"HOGA_KIS_ACCOUNT":    account,
				"HOGA_KIS_BASE_URL":   fake.URL(),
				"HOGA_DATA_DIR":       dir,
			}
			cfg, err := loadConfig(func(k string) string { return env[k] }, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := newChecker(cfg, slog.New(slog.DiscardHandler), 10*time.Second)
			c.lang = bot.English // the English lines; TestCheckInKorean has the default
			// The wiring serve will use; until build() constructs KIS itself
			// the test builds the client the same way.
			c.openBroker = func(context.Context) (broker.Broker, func(), error) {
				cl, err := kis.New(kis.Options{
					AppKey: cfg.KISAppKey, AppSecret: cfg.KISAppSecret,
					Account: cfg.KISAccount.Reveal(), Mode: kis.Mode(cfg.Mode), BaseURL: cfg.KISBaseURL,
					Tokens: tokencache.New(cfg.DataDir), Timeout: cfg.BrokerTimeout, Backoff: time.Millisecond,
					RPS: 100, // the fake does not limit; KIS mock allows 2/s
				})
				return cl, func() {}, err
			}
			var out bytes.Buffer
			_ = c.run(t.Context(), &out)
			line := checkLine(t, out.String(), "broker kis (mock)")
			t.Log(line)
			if !tc.want.MatchString(line) {
				t.Errorf("line %q\ndoes not match %s", line, tc.want)
			}
			if strings.Contains(out.String(), tc.secret) || strings.Contains(out.String(), appKey) {
				t.Error("a credential reached the output")
			}
		})
	}
}
