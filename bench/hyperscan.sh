#!/bin/sh
# hyperscan.sh: install the bench's literal peers from Debian packages
# (libhyperscan-dev for the Hyperscan peer, ripgrep for rg) and run
# iocbench with the hyperscan build tag. Arguments go to iocbench; without
# any, it runs the literal peers alone:
#
#   ./hyperscan.sh                                  # Hyperscan + grep/rg CPU scans, -only-peers
#   ./hyperscan.sh -hyperscan -o /tmp/iocbench      # the full report with Hyperscan added
#
# Run it from bench/ (it cds there itself). Needs apt-get (Debian/Ubuntu);
# uses sudo when not root.
set -eu
cd "$(dirname "$0")"
SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
if ! pkg-config --exists libhs 2>/dev/null || ! command -v rg >/dev/null 2>&1; then
	$SUDO apt-get update
	$SUDO apt-get install -y libhyperscan-dev pkg-config
	$SUDO apt-get install -y ripgrep || echo "hyperscan.sh: ripgrep not installed: the rg rows will say so" >&2
fi
echo "hyperscan.sh: libhs $(pkg-config --modversion libhs)" >&2
go test -short -tags hyperscan ./peers
if [ $# -eq 0 ]; then
	set -- -only-peers -hyperscan -tool-cpu -o /tmp/iocbench-peers
fi
exec go run -tags hyperscan ./cmd/iocbench "$@"
