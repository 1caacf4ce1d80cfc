"""The nginx the integration suites run: two worker processes, one loopback
port, every file (config, pid, logs) in one work folder."""
import os


def write_nginx_conf(work, port):
    """Writes WORK/nginx.conf; returns its path. Requests are logged to WORK/access.log."""
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
user root;
worker_processes 2;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log {work}/access.log;
  client_body_temp_path {work};
  server {{
    listen 127.0.0.1:{port};
    location / {{ return 200 "ok\\n"; }}
  }}
}}
""")
    return conf
