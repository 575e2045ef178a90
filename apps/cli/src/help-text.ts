import { DEFAULT_SERVER_URL } from "./resolve-server-url.js";

export const HELP_TEXT = `alma: ask a running alma server from the terminal

Usage:
  pnpm alma ask "question" [options]     stream the answer to stdout
  pnpm alma ask [-] [options]            read the question from stdin
  pnpm alma pin "fact" --conversation ID pin a fact to a conversation's memory
  pnpm alma history ID                   print a conversation's messages
  pnpm alma list                         list conversations

Options:
  --server URL          the server (default ${DEFAULT_SERVER_URL}; http(s):// and ws(s):// both work;
                        ALMA_SERVER_URL sets it too)
  --token TOKEN         access token when the server sets ALMA_AUTH_TOKEN (default: $ALMA_AUTH_TOKEN)
  --conversation ID     continue a conversation (ask) or choose one (pin)
  --type TYPE           auto | creative | analytical | conversational (default auto)
  --no-cache            do not answer from the response cache
  --stop-after N        stop the run after N tokens, as the stop button does
  --json                print every protocol frame as one JSON line, as the server sent it plus receivedAt
  -h, --help            show this help

Exit codes: 0 done, 1 the run or the server reported an error, 2 bad arguments, 3 cannot reach the server.
`;
