// Validates a kind cluster config file with kind's own loader and validator (v0.31.0).
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/kind/pkg/internal/apis/config/encoding"
)

func main() {
	cfg, err := encoding.Load(os.Args[1])
	if err != nil {
		fmt.Println("load:", err)
		os.Exit(1)
	}
	cfg.Name = "vault-lab" // kind create cluster --name sets it before validating
	if err := cfg.Validate(); err != nil {
		fmt.Println("validate:", err)
		os.Exit(1)
	}
	for _, n := range cfg.Nodes {
		fmt.Printf("%s labels=%v ports=%d\n", n.Role, n.Labels, len(n.ExtraPortMappings))
	}
}
