package kiwoom

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

func TestErrorCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rc   int64
		msg  string
		want string
	}{
		{"live_auth", 3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]", "8005"},
		{"live_rate", 5, "허용된 요청 개수를 초과하였습니다[1700:허용된 API 요청 개수를 초과하였습니다. 유량=5, API ID=ka10080]", "1700"},
		{"live_input", 2, "입력 값 오류입니다[1511:필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터=base_dt]", "1511"},
		{"code_encoding", 8005, "Token이 유효하지 않습니다", "8005"},
		{"code_encoding_1902", 1902, "종목 정보가 없습니다", "1902"},
		{"ws_login", 1, "LOGIN failed CODE=8005 token invalid", "8005"},
		{"order_desk_live", 20, "[2000](855056:매수증거금이 부족합니다. 16주 매수가능)", "855056"},
		{"order_desk_mock", 20, "[2000](RC4058:모의투자 장종료)", "RC4058"},
		{"order_desk_code_encoding", 2000, "[2000](308003:주문단가를 입력하십시요)", "308003"},
		{"backend", 2000, "[2000](-994:fail to sendReceive:WINGSj)", "-994"},
		{"class_only", 20, "장종료", "20"},
		{"bare", 7, "", "7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errorCode(tt.rc, tt.msg); got != tt.want {
				t.Errorf("errorCode(%d, %q) = %q, want %q", tt.rc, tt.msg, got, tt.want)
			}
		})
	}
}

var reCodeShape = regexp.MustCompile(`^-?[A-Za-z]{0,4}\d+$`)

// FuzzErrorCode checks that extraction never panics, that the code it
// returns is in the message or is return_code, and that a documented code
// in brackets ahead of any text is always the one found.
func FuzzErrorCode(f *testing.F) {
	f.Add(int64(3), "인증에 실패했습니다[8005:Token이 유효하지 않습니다]")
	f.Add(int64(20), "[2000](855056:매수증거금이 부족합니다. 16주 매수가능)")
	f.Add(int64(1700), "")
	f.Add(int64(0), "CODE=8005")
	f.Add(int64(-1), "[[[::(")
	f.Fuzz(func(t *testing.T, rc int64, msg string) {
		code := errorCode(rc, msg)
		if !reCodeShape.MatchString(code) {
			t.Fatalf("errorCode(%d, %q) = %q, not a code", rc, msg, code)
		}
		if !strings.Contains(msg, code) && code != strconv.FormatInt(rc, 10) {
			t.Fatalf("errorCode(%d, %q) = %q, which is neither in the message nor return_code", rc, msg, code)
		}
		wrapped := "인증에 실패했습니다[8005:" + msg + "]"
		if got := errorCode(rc, wrapped); !reOrderCode.MatchString(wrapped) && got != "8005" {
			t.Fatalf("errorCode(%d, %q) = %q, want 8005", rc, wrapped, got)
		}
	})
}

func TestKindFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, msg string
		order     bool
		want      broker.Kind
	}{
		{"1700", "", false, broker.RateLimited},
		{"1701", "", false, broker.RateLimited},
		{"1702", "", true, broker.RateLimited},
		{"1902", "", false, broker.NotFound},
		{"1901", "", false, broker.NotFound},
		{"1511", "", false, broker.Invalid},
		{"8005", "", false, broker.Auth},
		{"8050", "", false, broker.Auth},
		{"8104", "", false, broker.Rejected},
		{"1999", "", false, broker.Transient},
		{"855056", "매수증거금이 부족합니다. 16주 매수가능", true, broker.InsufficientFunds},
		{"800033", "매도가능수량이 부족합니다. 0주 매도가능", true, broker.InsufficientFunds},
		{"RC4025", "모의투자 주문가능금액을 확인하세요.", true, broker.InsufficientFunds},
		{"RC4003", "모의투자 호가단위 오류입니다.", true, broker.Invalid},
		{"RC4058", "모의투자 장종료", true, broker.MarketClosed},
		{"RC4057", "모의투자 장시작전", true, broker.MarketClosed},
		{"RC4007", "모의투자 매매제한 종목입니다.", true, broker.Rejected},
		// New codes fall back to the words.
		{"999001", "주문가능금액을 초과했습니다", true, broker.InsufficientFunds},
		{"999002", "호가단위가 맞지 않습니다", true, broker.Invalid},
		{"999003", "장운영시간이 아닙니다", true, broker.MarketClosed},
		{"999004", "원주문번호가 존재하지 않습니다", true, broker.NotFound},
		{"20", "장종료", true, broker.MarketClosed},
		{"999005", "알 수 없는 거부", true, broker.Rejected},
		// Words are only read on the order path.
		{"999003", "장운영시간이 아닙니다", false, broker.Rejected},
		{"5", "허용된 요청 개수를 초과하였습니다", false, broker.RateLimited},
		{"3", "인증에 실패했습니다", false, broker.Auth},
	}
	for _, tt := range tests {
		if got := kindFor(tt.code, tt.msg, tt.order); got != tt.want {
			t.Errorf("kindFor(%q, %q, order=%v) = %v, want %v", tt.code, tt.msg, tt.order, got, tt.want)
		}
	}
}

func TestAPIErrorHints(t *testing.T) {
	t.Parallel()
	mock := &Client{mode: ModeMock}
	live := &Client{mode: ModeLive}
	tests := []struct {
		c        *Client
		status   int
		rc       int64
		msg      string
		kind     broker.Kind
		code     string
		contains []string
	}{
		{mock, 200, 3, "인증에 실패했습니다[8030:투자구분(실전/모의)이 달라서 Appkey를 사용할 수 없습니다]", broker.Auth, "8030",
			[]string{"mock and live keys differ", "HOGA_MODE=mock but the key is for live", "8030:"}},
		{live, 200, 8031, "모의투자 미신청 계좌입니다", broker.Auth, "8031", []string{"HOGA_MODE=live but the key is for mock", "모의투자 미신청"}},
		{mock, 200, 3, "인증에 실패했습니다[8050:지정단말기 인증에 실패했습니다]", broker.Auth, "8050", []string{"register this server's public IP", "openapi.kiwoom.com"}},
		{mock, 200, 8001, "App Key와 Secret Key 검증에 실패했습니다", broker.Auth, "8001", []string{"HOGA_KIWOOM_APP_KEY"}},
		{mock, 429, 5, "허용된 요청 개수를 초과하였습니다[1700:허용된 API 요청 개수를 초과하였습니다. 유량=5, API ID=ka10001]", broker.RateLimited, "1700", []string{"유량=5"}},
		{mock, 429, 99, "something else", broker.RateLimited, "99", nil},
	}
	for _, tt := range tests {
		e := tt.c.apiError(tt.status, tt.rc, tt.msg, false)
		if e.Kind != tt.kind || e.Code != tt.code {
			t.Errorf("apiError(%d, %q) = %v/%q, want %v/%q", tt.rc, tt.msg, e.Kind, e.Code, tt.kind, tt.code)
		}
		for _, s := range tt.contains {
			if !strings.Contains(e.Msg, s) {
				t.Errorf("apiError(%d, %q).Msg = %q, want it to contain %q", tt.rc, tt.msg, e.Msg, s)
			}
		}
		if e.Kind == broker.RateLimited && e.RetryAfter != time.Second {
			t.Errorf("rate limit RetryAfter = %v, want 1s", e.RetryAfter)
		}
	}
}
