#!/usr/bin/env bash
# Prints proctord(1) in roff, made from the binary's own --help and each
# subcommand's, so the man page says what the installed binary does.
# usage: scripts/make-manpage.sh PATH/TO/proctord > proctord.1
set -euo pipefail
proctord="$1"
version="$("$proctord" --version)"
# SOURCE_DATE_EPOCH keeps the page (and the package) reproducible.
date="$(date -u -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$proctord")}" +%Y-%m-%d)"

roff_text() {  # escape what roff would read as requests or escapes
  sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" -e 's/^$/.PP/'
}
subcommands() {
  "$proctord" --help | awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

cat <<HEAD
.TH PROCTORD 1 "$date" "proctord $version" "User Commands"
.SH NAME
proctord \\- the proctoring agent for remote interviews
.SH SYNOPSIS
.B proctord
.I subcommand
.RI [ options ]
.SH DESCRIPTION
.nf
HEAD
"$proctord" --help | sed -e '/^USAGE:/,$d' -e 's/^OVERVIEW: //' | roff_text
echo ".fi"
echo ".SH COMMANDS"
for command in $(subcommands); do
  echo ".SS proctord $command"
  echo ".nf"
  "$proctord" help "$command" | roff_text
  echo ".fi"
done
cat <<'TAIL'
.SH FILES
.TP
.I $XDG_CONFIG_HOME/proctord/plugins.json
the user's config; else /etc/proctord/plugins.json (the Debian package), else the one in the data directory
.TP
.I $XDG_STATE_HOME/proctord/
sessions, interviews, crash reports
.TP
.I <prefix>/share/proctord/
the default config, the agent's page, the models the plugins read
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1),
.BR systemd.socket (5)
TAIL
