"""``python -m web serve`` (waitress) and ``python -m web create-user NAME``."""
from __future__ import annotations

import argparse
import getpass
import logging
import sys


def _config(args):
    from ingest.settings import load
    return load(args.config, data_dir=args.data_dir, web_host=getattr(args, "host", None),
                web_port=getattr(args, "port", None))


def serve(config, threads: int = 8, warm: bool = True, **waitress_options):
    """Serve the app with waitress until interrupted; the assistant is loaded first so the first question is fast."""
    import waitress

    from . import backend, create_app

    app = create_app(config)
    if warm:
        with app.app_context():
            try:
                assistant = backend.assistant()
                assistant.warm()
                print(f"已载入 {len(assistant.reports())} 份报告", flush=True)
            except backend.Unavailable as exc:
                print(f"警告：{exc}（上传报告后可用）", file=sys.stderr, flush=True)
    print(f"在 http://{config.web_host}:{config.web_port}/ 提供服务", flush=True)
    # send_bytes=1: hand each streamed answer piece to the socket at once instead of buffering 18 kB.
    waitress.serve(app, host=config.web_host, port=int(config.web_port), threads=threads,
                   ident="report-assistant", send_bytes=1, **waitress_options)


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")  # scripted: one line on stdin
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise ValueError("两次输入的密码不一致")
    return first


def main(argv=None) -> int:
    from ingest.settings import epilog
    parser = argparse.ArgumentParser(prog="python -m web", description="Report Assistant web app", epilog=epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="config.toml to read (default: the project's, or $REPORT_ASSISTANT_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)

    p_serve = sub.add_parser("serve", help="serve the app with waitress", epilog=epilog(),
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    p_serve.add_argument("--data-dir", help="data directory (overrides config data_dir)")
    p_serve.add_argument("--host", help="listen address (default: config web_host, 127.0.0.1)")
    p_serve.add_argument("--port", type=int, help="listen port (default: config web_port, 8080)")
    p_serve.add_argument("--threads", type=int, default=8, help="threads per process (default 8)")
    p_serve.add_argument("--workers", type=int, default=1,
                         help="worker processes: 1 = waitress in this process; more = gunicorn with --preload "
                              "(see docs/deploy.md)")

    p_user = sub.add_parser("create-user", help="create a staff account (password prompted for)")
    p_user.add_argument("name")
    p_user.add_argument("--data-dir", help="data directory (overrides config data_dir)")
    p_user.add_argument("--replace", action="store_true", help="reset the password of an existing account")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Libraries that log every query at INFO/DEBUG would drown the server's own lines.
    for noisy in ("bm25s", "jieba", "chromadb", "httpx", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    config = _config(args)
    if args.command == "serve":
        if args.workers < 1:
            parser.error("--workers must be at least 1")
        if args.workers > 1:
            from .workers import serve as serve_workers
            serve_workers(config, args.workers, threads=args.threads)
        else:
            serve(config, threads=args.threads)
        return 0
    from .users import create_user
    try:
        create_user(config, args.name, _read_password(), replace=args.replace)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    from ingest.engines import display

    from .state import state_url
    print(f"已{'设置' if args.replace else '创建'}用户 {args.name.strip()}（{display(state_url(config))}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
