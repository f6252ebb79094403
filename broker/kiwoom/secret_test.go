package kiwoom

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/internal/redact"
)

func TestMaskAccount(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"5012345611":    "5012****-11",
		"50123456-11":   "5012****-11",
		" 1234567890 ":  "1234****-90",
		"12345678":      "12****-78",
		"1234567":       "*******",
		"":              "",
		"5012345611999": "5012*******-99",
	}
	for in, want := range tests {
		if got := MaskAccount(in); got != want {
			t.Errorf("MaskAccount(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSecretsStayHidden(t *testing.T) {
	t.Parallel()
	s := redact.Secret("APPKEY-123")
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("x", "key", s, "c", &Client{mode: ModeMock, appKey: s, secretKey: s, base: "https://mockapi.kiwoom.com"})
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s", s, s, s, s)
	if strings.Contains(out, "APPKEY-123") {
		t.Fatalf("secret leaked: %s", out)
	}
	if s.Reveal() != "APPKEY-123" {
		t.Fatal("reveal lost the value")
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{}); err == nil || !strings.Contains(err.Error(), "app key is empty") || !strings.Contains(err.Error(), "secret key is empty") {
		t.Errorf("empty options: %v", err)
	}
	if _, err := New(Options{AppKey: "a", SecretKey: "b", Mode: "paper"}); err == nil || !strings.Contains(err.Error(), `mode "paper"`) {
		t.Errorf("bad mode: %v", err)
	}
	if _, err := New(Options{AppKey: "a", SecretKey: "b", BaseURL: "api.kiwoom.com"}); err == nil {
		t.Error("a base URL without a scheme was accepted")
	}
	for _, tt := range []struct{ mode, base string }{{"", MockURL}, {"mock", MockURL}, {"LIVE", LiveURL}} {
		c, err := New(Options{AppKey: "a", SecretKey: "b", Mode: tt.mode})
		if err != nil {
			t.Fatalf("mode %q: %v", tt.mode, err)
		}
		if c.base != tt.base || c.rps != DefaultRPS || c.timeout != DefaultTimeout || c.Name() != "kiwoom" {
			t.Errorf("mode %q: base %s rps %v timeout %v", tt.mode, c.base, c.rps, c.timeout)
		}
		if !c.TokenExpiry().IsZero() {
			t.Errorf("token expiry before any token: %v", c.TokenExpiry())
		}
	}
	if k := TokenKey("mock", "appkey"); !strings.HasPrefix(k, "kiwoom-mock-") || len(k) != len("kiwoom-mock-")+16 || strings.Contains(k, "appkey") {
		t.Errorf("TokenKey = %q", k)
	}
	if TokenKey("mock", "a") == TokenKey("live", "a") || TokenKey("mock", "a") == TokenKey("mock", "b") {
		t.Error("token keys collide across modes or app keys")
	}
}
