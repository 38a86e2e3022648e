#!/bin/sh
# /usr/bin/groupware: the node and its operator verbs (see `groupware --help`).
exec /usr/lib/groupware/groupware "$@"
