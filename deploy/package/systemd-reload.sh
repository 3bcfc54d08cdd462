#!/bin/sh
# After the package installs, upgrades or removes its units: tell a running
# systemd to read them again. It enables and starts nothing.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
