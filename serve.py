"""`ops run`: migrate, seed the demo when empty, and serve everything in one process."""

from __future__ import annotations

import logging

from werkzeug.serving import make_server

log = logging.getLogger(__name__)

def serve_all(app, *, host: str, port: int) -> None:
    from bootstrap import seed_demo, start_services
    from orders.migrate import upgrade
    from worker import InProcessWorker

    rt = app.extensions["ops"]
    upgrade(rt.engine)
    if seed_demo(rt):
        log.info("demo factory loaded")
    # One process serves all: jobs run in a thread (the embedded Redis is reachable from
    # no other process); with REDIS_URL set, `ops worker` processes may help as well.
    w = InProcessWorker(app)
    rt.extras["inprocess_worker"] = w
    w.start()
    start_services(app)
    server = make_server(host, port, app, threaded=True)
    print(f" * Order Hub serving on http://{host}:{port}  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
