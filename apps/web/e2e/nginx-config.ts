import { userInfo } from "node:os";

/**
 * The nginx site docs/deploy.md documents, rendered from one template: the doc embeds the rendering for its example
 * addresses (multi-instance.spec.ts checks it is byte for byte this function's output), and the cluster harness runs
 * the same rendering with its own ports. Change the config here, then paste `renderNginxSite(DOCUMENTED_SITE)` into
 * the doc.
 */
export interface NginxSiteOptions {
  /** what `listen` says: `80`, or `127.0.0.1:41234` */
  listen: string;
  serverName: string;
  /** the alma servers (`host:port`), balanced round robin */
  almaServers: string[];
  /** the web apps (`next start`, `host:port`), balanced round robin */
  webApps: string[];
  /** nginx's body limit: the alma server's upload cap, so a file over ALMA_ATTACHMENT_MAX_BYTES gets alma's message */
  clientMaxBodySize: string;
}

/** the example of docs/deploy.md: two machines, each running one alma server and one web app */
export const DOCUMENTED_SITE: NginxSiteOptions = {
  listen: "80",
  serverName: "chat.example.com",
  almaServers: ["10.0.0.11:8787", "10.0.0.12:8787"],
  webApps: ["10.0.0.11:3000", "10.0.0.12:3000"],
  clientMaxBodySize: "64m",
};

/** the response header naming the alma instance (its address) that answered a request or holds a WebSocket */
export const UPSTREAM_HEADER = "X-Alma-Upstream";

/** The site: goes in `http { … }` (e.g. /etc/nginx/conf.d/alma.conf). */
export function renderNginxSite(o: NginxSiteOptions): string {
  const servers = (list: string[]) => list.map((s) => `    server ${s} max_fails=1 fail_timeout=10s;`).join("\n");
  return `# alma behind nginx: every alma server and web app serves anyone, round robin, no sticky sessions.

# a WebSocket asks to be upgraded; anything else closes its connection to the alma server as usual
map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
}

upstream alma_server {
    # round robin is nginx's default: no ip_hash, hash or sticky here, as any instance serves any viewer
${servers(o.almaServers)}
}

upstream alma_web {
${servers(o.webApps)}
    keepalive 16;
}

server {
    listen ${o.listen};
    server_name ${o.serverName};

    # attachments go through both locations: the web app passes an upload on to /alma/
    client_max_body_size ${o.clientMaxBodySize};

    # the alma server: its WebSocket (/alma/ws) and HTTP API, with /alma stripped (proxy_pass ends in /)
    location /alma/ {
        proxy_pass http://alma_server/;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        # tokens are sent as they come, and uploads go on as they arrive
        proxy_buffering off;
        proxy_request_buffering off;
        # a socket follows answers for as long as the tab is open (the server pings every 30 s)
        proxy_read_timeout 1h;
        proxy_send_timeout 1h;
        # which instance answered: for checking the balancing (drop it to keep the addresses private)
        add_header ${UPSTREAM_HEADER} $upstream_addr always;
    }

    # the web app (next start): pages, and its /api/ routes, which pass on to /alma/
    location / {
        proxy_pass http://alma_web;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        # exports and attachments stream through
        proxy_buffering off;
        proxy_request_buffering off;
        proxy_read_timeout 5m;
    }
}
`;
}

/**
 * A whole nginx configuration around the site for a test: in the foreground (`daemon off`), as the current user, with
 * its pid, logs and temporary files in `dir` (run as `nginx -p <dir> -e <dir>/error.log -c <dir>/nginx.conf`).
 */
export function renderNginxMain(site: string, dir: string): string {
  // nginx drops its workers to `nobody` when started as root; as anyone else it stays who it is (and `user` is ignored)
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : "";
  const indented = site
    .split("\n")
    .map((line) => (line ? `    ${line}` : line))
    .join("\n");
  return `${user}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;

events {
    worker_connections 1024;
}

http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client-body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;

${indented}
}
`;
}

/** The fenced nginx block of docs/deploy.md that follows `<!-- nginx-site -->`: the site the doc tells people to use. */
export function documentedSiteOf(markdown: string): string {
  const m = /<!-- nginx-site -->\s*```nginx\n([\s\S]*?)```/.exec(markdown);
  if (!m) throw new Error("docs/deploy.md has no ```nginx block after <!-- nginx-site -->: put the rendered site back under that marker");
  return m[1]!;
}
