// The nginx.conf of a real leaky bucket (nginx `limit_req`, per Authorization header,
// `nodelay`, 429 with no Retry-After and no rate headers) in front of one upstream, every
// path nginx writes inside `dir`. Shared by the limits bench and the upstream tests.

/** Where Debian's nginx-light installs nginx. */
export const NGINX = "/usr/sbin/nginx";

/**
 * @param {{ dir: string, port: number, upstreamPort: number, rate: number, burst: number }} o
 * @returns {string}
 */
export function leakyBucketConf({ dir, port, upstreamPort, rate, burst }) {
  const at = (name) => `${dir}/${name}`;
  return `${process.getuid?.() === 0 ? "user root root;\n" : ""}worker_processes 1;
pid ${at("nginx.pid")};
error_log ${at("error.log")} warn;
events { worker_connections 4096; }
http {
  log_format statusonly '$status';
  access_log ${at("access.log")} statusonly;
  client_body_temp_path ${at("client_body")};
  proxy_temp_path ${at("proxy")};
  fastcgi_temp_path ${at("fastcgi")};
  uwsgi_temp_path ${at("uwsgi")};
  scgi_temp_path ${at("scgi")};
  # The leaky bucket: ${rate} requests a second per token, ${burst} more at once, no delay;
  # past it 429 with nginx's HTML error page, no Retry-After, no rate headers.
  limit_req_zone $http_authorization zone=pertoken:1m rate=${rate}r/s;
  limit_req_status 429;
  upstream origin { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      limit_req zone=pertoken burst=${burst} nodelay;
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 600s;
    }
  }
}
`;
}
