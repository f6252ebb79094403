package kis

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/tokencache"
	"github.com/hoga-trade/hoga/internal/redact"
)

// approvalLife is how long an approval key is used: the doc gives 24 h
// (kis.md §2.3); a margin keeps a reconnect from using one about to end.
const approvalLife = 23 * time.Hour

// approvals caches the WebSocket approval key per app key, in memory and
// in the TokenStore under its own key, so a restart or reconnect does not
// ask KIS for a new one each time.
type approvals struct {
	mu  sync.Mutex
	key tokencache.Token
}

// ApprovalKey returns the WebSocket approval key, issuing one from
// POST /oauth2/Approval when none is held. It is not the REST token: the
// body carries appkey and secretkey (not appsecret). Sources:
// open-trading-api examples_llm/kis_auth.py auth_ws (url
// f"{_cfg[svr]}/oauth2/Approval"), examples_llm/auth/auth_ws_token;
// kis.md §2.3. Errors: Auth, Transient.
func (c *Client) ApprovalKey(ctx context.Context) (redact.Secret, error) {
	a := &c.approval
	a.mu.Lock()
	defer a.mu.Unlock()
	now := c.clock.Now()
	if a.key.Value != "" && now.Before(a.key.Expiry) {
		return a.key.Value, nil
	}
	storeKey := TokenKey(c.set.mode, c.set.appKey) + "-approval"
	if c.tokenStore != nil {
		if t, ok, err := c.tokenStore.Load(storeKey); err == nil && ok && t.Value != "" && now.Before(t.Expiry) {
			a.key = t
			return t.Value, nil
		}
	}
	body, _ := json.Marshal(map[string]string{
		"grant_type": "client_credentials",
		"appkey":     string(c.set.appKey),
		"secretkey":  string(c.set.appSecret),
	})
	ctx, cancel := context.WithTimeout(ctx, c.set.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.set.base+"/oauth2/Approval", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("kis: approval request: %w", err)
	}
	req.Header["content-type"] = []string{"application/json; charset=utf-8"}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", &broker.Error{Kind: broker.Transient, Msg: "KIS approval key: no answer", Err: err}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var out struct {
		ApprovalKey string `json:"approval_key"`
		ErrorCode   string `json:"error_code"`
		ErrorDesc   string `json:"error_description"`
	}
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode != http.StatusOK || out.ApprovalKey == "" {
		kind := broker.Transient
		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusBadRequest {
			kind = broker.Auth
		}
		return "", &broker.Error{Kind: kind, Code: out.ErrorCode, Msg: "KIS approval key refused: " + out.ErrorDesc}
	}
	a.key = tokencache.Token{Value: redact.Secret(out.ApprovalKey), IssuedAt: now, Expiry: now.Add(approvalLife)}
	if c.tokenStore != nil {
		if err := c.tokenStore.Save(storeKey, a.key); err != nil {
			c.log.Warn("kis: cannot save the approval key", "err", err)
		}
	}
	return a.key.Value, nil
}

// dropApproval forgets a key the WebSocket refused.
func (c *Client) dropApproval() {
	c.approval.mu.Lock()
	c.approval.key = tokencache.Token{}
	c.approval.mu.Unlock()
}
