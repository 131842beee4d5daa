//go:build tools

// Pins promtool (github.com/prometheus/prometheus/cmd/promtool) in go.mod for build.sh.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
