module github.com/iocmatch/iocmatch/bench

go 1.26.8

require (
	github.com/cloudflare/ahocorasick v0.0.0-20240916140611-054963ec9396
	github.com/iocmatch/iocmatch v0.0.0
	github.com/yl2chen/cidranger v1.0.2
	golang.org/x/net v0.62.0
)

require (
	github.com/gaissmai/bart v0.30.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/iocmatch/iocmatch => ../
