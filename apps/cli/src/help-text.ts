import { DEFAULT_SERVER_URL } from "./resolve-server-url.js";

export const HELP_TEXT = `alma: ask a running alma server from the terminal

Usage (in the repo, run it as \`pnpm alma …\`, \`npx alma …\` or node_modules/.bin/alma):
  alma ask "question" [options]        stream the answer to stdout
  alma ask [-] [options]               read the question from stdin
  alma ask --attach FILE "question"    ask about a file (repeat --attach for more)
  alma pin "fact" --conversation ID    pin a fact to a conversation's memory
  alma history ID                      print a conversation's messages
  alma list                            list conversations
  alma export ID [--format F] [--out FILE]
                                       print a conversation as Markdown or JSON (or write it to FILE)

Options:
  --server URL          the server (default ${DEFAULT_SERVER_URL}; http(s):// and ws(s):// both work;
                        ALMA_SERVER_URL sets it too)
  --token TOKEN         access token when the server sets ALMA_AUTH_TOKEN (default: $ALMA_AUTH_TOKEN)
  --conversation ID     continue a conversation (ask) or choose one (pin)
  --attach FILE         ask: send FILE with the question (text, Markdown, CSV, JSON or PDF; repeat it for
                        more, up to 10). Without --conversation a new conversation is started for them; a file
                        the server refuses (missing, too large, unsupported, unreadable) stops the ask before
                        anything is sent, with the server's reason
  --type TYPE           auto | creative | analytical | conversational (default auto)
  --no-cache            do not answer from the response cache
  --stop-after N        stop the run after N tokens, as the stop button does
  --json                print every protocol frame as one JSON line, as the server sent it plus receivedAt
                        (nothing else on stdout); for export, the same as --format json
  --format F            export: markdown (default) or json
  -o, --out FILE        export: write to FILE instead of stdout
  -h, --help            show this help

stdout carries only the answer (for a planned answer: the plan, each step under its heading, the answer, then
the review when one ran), or the JSON lines, or the export. stderr gets errors and, after an ask, the
conversation's ID for --conversation; progress goes there too when stdout is a terminal.

Exit codes: 0 done (also when --stop-after stopped the run), 1 the run or the server reported an error,
2 bad arguments, 3 cannot reach the server, 130 interrupted (Ctrl-C).
`;
