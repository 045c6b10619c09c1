import pytest

from onetrip.accounts.models import User
from onetrip.core.models import TrailEntry
from onetrip.demo.people import resident_id

from .conftest import PASSWORD

RID = resident_id("43070319900101123")


@pytest.mark.django_db
def test_a_citizen_registers_and_sees_their_id_masked(client, settings):
    from onetrip import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the suite hashes fast; this test checks the real one
    response = client.post("/accounts/register/", {
        "real_name": "张测试", "mobile": "13907360001", "resident_id": RID,
        "password": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302
    user = User.objects.get(username="13907360001")
    assert user.role == "citizen" and user.resident_id == RID
    assert user.password.startswith("argon2")
    page = client.get("/accounts/me/").content.decode()
    assert "430703********" + RID[-4:] in page
    assert RID not in page
    assert TrailEntry.objects.filter(action="user.register", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_a_wrong_check_digit_is_explained_and_nothing_is_written(client):
    bad = RID[:-1] + ("0" if RID[-1] != "0" else "1")
    response = client.post("/accounts/register/", {
        "real_name": "张测试", "mobile": "13907360001", "resident_id": bad,
        "password": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 200
    assert "check digit" in response.content.decode() or "校验" in response.content.decode()
    assert not User.objects.exists()
    assert not TrailEntry.objects.exists()


@pytest.mark.django_db
def test_the_same_id_number_cannot_register_twice(client, citizen):
    response = client.post("/accounts/register/", {
        "real_name": "张测试", "mobile": "13907360002", "resident_id": citizen.resident_id,
        "password": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 200
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_company_representative_registers_with_the_companys_uscc(client):
    from onetrip.accounts.models import Company
    from onetrip.demo.people import uscc

    code = uscc("91430703MA4T99001")
    form = {"uscc": code, "company_name": "鼎城区测试商贸有限公司（演示）", "legal_representative": "赵示例",
            "real_name": "赵示例", "mobile": "13907360008", "resident_id": resident_id("43070319930303123"),
            "password": PASSWORD, "password2": PASSWORD}
    bad = client.post("/accounts/register/company/", {**form, "uscc": code[:-1] + ("0" if code[-1] != "0" else "1")})
    assert bad.status_code == 200 and not Company.objects.exists() and not User.objects.exists()
    response = client.post("/accounts/register/company/", form)
    assert response.status_code == 302
    user = User.objects.get(username="13907360008")
    assert user.role == "company_rep" and user.company.uscc == code
