package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hoga-trade/hoga/bot/httpapi"
	"github.com/hoga-trade/hoga/broker/paper"
)

// Example runs the API on a free loopback port over the paper broker and
// asks for a price the way curl would:
//
//	curl -H 'Authorization: Bearer <HOGA_HTTP_TOKEN>' http://127.0.0.1:PORT/price/005930
//
// In cmd/hoga the broker is the guarded one; paper keeps this example
// self-contained.
func Example() {
	ex, err := paper.New(paper.Options{Seed: 1, Freeze: true})
	if err != nil {
		panic(err)
	}
	defer ex.Close()
	const token = "example-token-0123456789abcdef"
	srv, err := httpapi.New(httpapi.Config{Addr: "127.0.0.1:0", Token: token, Broker: ex})
	if err != nil {
		panic(err)
	}
	addr, err := srv.Listen()
	if err != nil {
		panic(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- srv.Run(ctx) }()

	req, _ := http.NewRequest("GET", "http://"+addr.String()+"/price/005930", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var q struct {
		Code  string `json:"code"`
		Name  string `json:"name"`
		Price int64  `json:"price"`
	}
	json.NewDecoder(resp.Body).Decode(&q)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(q.Code, q.Name, q.Price > 0)

	// Without the token the same request is refused.
	resp, err = http.Get("http://" + addr.String() + "/price/005930")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"))

	stop()
	fmt.Println("stopped:", <-done)
	// Output:
	// 200 application/json; charset=utf-8
	// 005930 삼성전자 true
	// 401 Bearer realm="hoga"
	// stopped: <nil>
}
