import pytest

from tests.conftest import make_app
from tests.factories import basic_factory


@pytest.fixture(scope="module")
def domain_app(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('orders') / 'ops.db'}")
    with app.extensions["ops"].uow() as uow:
        basic_factory(uow)
        uow.commit()
    yield app
    app.extensions["ops"].engine.dispose()


@pytest.fixture
def rt(domain_app):
    return domain_app.extensions["ops"]
