#!/bin/sh
# summarize-log.sh LOG: condense the wrapper log to one line per distinct
# call shape: count, client, global flags, verb, the verb's flags. Values
# (paths, ids) are dropped, so the shapes can be compared across runs.
awk '
BEGIN {
	n = split("create start run state kill delete exec list ps pause resume update events spec features checkpoint restore", v, " ")
	for (i = 1; i <= n; i++) verbs[v[i]] = 1
}
/ ERROR rc=/ { next }
{
	pre = ""; verb = ""; post = ""
	for (i = 2; i <= NF; i++) {
		t = $i
		if (verb == "" && (t in verbs)) { verb = t; continue }
		if (t !~ /^-/) continue
		sub(/=.*/, "", t)
		if (verb == "") pre = pre " " t; else post = post " " t
	}
	key = $1 " |" pre " | " verb " |" post
	count[key]++
}
END { for (k in count) printf "%5d  %s\n", count[k], k }
' "$1" | sort -k2,2 -k5,5 -k1,1nr
