// GET /v1/sys/health over TLS verified against the lab CA, with the Go standard library only.
// Run: go run health.go   (after eval "$(npx lab env tls)")
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
)

func main() {
	pem, err := os.ReadFile(os.Getenv("VAULT_CACERT"))
	if err != nil {
		log.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		log.Fatal("no certificate in VAULT_CACERT")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	res, err := client.Get(os.Getenv("VAULT_ADDR") + "/v1/sys/health")
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, tls.VersionName(res.TLS.Version))
	fmt.Println(string(body))
}
