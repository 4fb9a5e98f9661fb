"""The officers' workspace in a real browser: Debian's chromium driven by Selenium through
/usr/bin/chromedriver (`make web-test` and `make test` install both with apt-get). Each test
leaves screenshots of the pages it visits in results/web/."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select, update

from conftest import REPO, fresh_database
from nagarik.db.models import Assignment, Complaint, Notification, Officer as OfficerRow, WardNotice, utcnow
from nagarik.db.session import session_scope
from nagarik.db.wards import subscribe
from web_helpers import PASSWORD, add_user, file, web_server

pytestmark = pytest.mark.browser
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = REPO / "results" / "web"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple]:
    folder = tmp_path_factory.mktemp("browser")
    (folder / "media").mkdir()
    with fresh_database("sqlite", folder) as database, web_server(database, folder / "media") as base:
        add_user(database, "Admin Rao", "admin")
        add_user(database, "JE Sharma", "department", department="jalkal")
        add_user(database, "AE Das", "department", department="jalkal", language="bn")
        yield base, database, folder


@pytest.fixture(scope="module")
def browser(site) -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium and chromium-driver are missing: run `make web-test` (it installs them with apt-get)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en"):
        options.add_argument(argument)
    downloads = site[2] / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    # The driver's path is given, so Selenium Manager never tries to download one.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.downloads = downloads
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: WebDriver, name: str) -> None:
    """A screenshot of the whole page: the viewport is made as tall as the page (at most 4000 px) first."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1400, "height": min(max(height, 800), 4000), "deviceScaleFactor": 1, "mobile": False})
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def wait_for(driver: WebDriver, element_id: str):
    return WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, element_id))[0]


def log_in(driver: WebDriver, base: str, name: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    wait_for(driver, "signed-in")


def submit(driver: WebDriver, button_id: str) -> None:
    """Click a submit button and wait until the next page has replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, button_id).click()
    WebDriverWait(driver, 10).until(lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)


def submit_link(driver: WebDriver, text: str) -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, text).click()
    WebDriverWait(driver, 10).until(lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)


def flashes(driver: WebDriver) -> str:
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".flash, .error"))


def test_log_in_filter_and_open_a_complaint_then_change_its_status(site, browser) -> None:
    base, database, _ = site
    water = file(database, "919811110001", "water_supply", 12, language="bn", description="তিন দিন ধরে জল নেই",
                 latitude=29.945, longitude=77.515)
    light = file(database, "919811110002", "street_light", 12)  # not the Jalkal officer's
    leak = file(database, "919811110004", "water_leakage", 12)
    browser.get(f"{base}/complaints")
    assert "/login" in browser.current_url
    shot(browser, "login")
    log_in(browser, base, "JE Sharma")
    shot(browser, "queue")
    Select(browser.find_element(By.ID, "f-category")).select_by_value("water_supply")
    browser.find_element(By.ID, "f-ward").send_keys("12")
    submit(browser, "apply-filter")
    listed = [row.get_attribute("data-ref") for row in browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr")]
    assert listed == [water] and light not in browser.page_source
    Select(browser.find_element(By.ID, "f-category")).select_by_value("")
    submit(browser, "apply-filter")
    submit_link(browser, "Reference")  # sort by reference, then the other way
    ascending = [row.get_attribute("data-ref") for row in browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr")]
    submit_link(browser, "Reference ▲")
    descending = [row.get_attribute("data-ref") for row in browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr")]
    assert ascending == sorted([water, leak]) and descending == ascending[::-1]
    browser.get(f"{base}/complaints?ward=12&category=water_supply")
    browser.find_element(By.LINK_TEXT, water).click()
    wait_for(browser, "status-form")
    assert browser.find_element(By.ID, "citizen-language").text == "বাংলা"
    assert browser.find_elements(By.CSS_SELECTOR, "#map svg polygon") and browser.find_elements(By.CSS_SELECTOR, "#map svg circle")
    shot(browser, "complaint")
    Select(browser.find_element(By.ID, "new-status")).select_by_value("assigned")
    browser.find_element(By.ID, "status-note").send_keys("Pipeline team informed")
    submit(browser, "change-status")
    assert "The citizen will be told on WhatsApp in বাংলা" in flashes(browser)
    assert browser.find_element(By.ID, "current-status").text == "assigned to the department"
    with session_scope(database) as session:
        queued = session.execute(select(Notification).where(Notification.complaint_id == select(Complaint.id).where(
            Complaint.reference == water).scalar_subquery())).scalar_one()
    assert (queued.language, queued.payload["status"], queued.payload["note"]) == ("bn", "assigned", "Pipeline team informed")
    shot(browser, "complaint-after-status-change")


def test_a_page_changed_meanwhile_is_refused_on_the_page(site, browser) -> None:
    base, database, _ = site
    reference = file(database, "919811110003", "water_supply", 14)
    log_in(browser, base, "JE Sharma")
    browser.get(f"{base}/complaints/{reference}")
    wait_for(browser, "status-form")
    with session_scope(database) as session:  # another officer's change, after this page was shown
        session.execute(update(Complaint).where(Complaint.reference == reference).values(updated_at=utcnow()))
    submit(browser, "change-status")
    assert "Someone else changed this complaint meanwhile" in flashes(browser)
    with session_scope(database) as session:
        assert session.execute(select(Complaint.status).where(Complaint.reference == reference)).scalar_one() == "received"
    shot(browser, "complaint-changed-meanwhile")


def test_bulk_assign_and_export_csv(site, browser) -> None:
    base, database, _ = site
    ward = 15
    references = [file(database, f"91981111{i:04d}", "water_leakage", ward) for i in range(3)]
    log_in(browser, base, "Admin Rao")
    browser.get(f"{base}/complaints?ward={ward}")
    wait_for(browser, "queue")
    for reference in references[:2]:
        browser.find_element(By.CSS_SELECTOR, f'input[name=ref][value="{reference}"]').click()
    Select(browser.find_element(By.ID, "bulk-assignee")).select_by_visible_text("AE Das")
    submit(browser, "bulk-apply")
    assert f"Done for 2: {references[0]}, {references[1]}" in flashes(browser)
    shot(browser, "queue-after-bulk-assign")
    with session_scope(database) as session:
        names = session.execute(select(Complaint.reference, OfficerRow.name).join(Assignment, Assignment.complaint_id == Complaint.id)
                                .join(OfficerRow, OfficerRow.id == Assignment.officer_id)
                                .where(Complaint.ward == ward).order_by(Complaint.id)).all()
    assert [tuple(n) for n in names] == [(references[0], "AE Das"), (references[1], "AE Das")]
    browser.find_element(By.ID, "export").click()
    exported = browser.downloads / "complaints.csv"
    for _ in range(100):
        if exported.exists() and not list(browser.downloads.glob("*.crdownload")):
            break
        time.sleep(0.1)
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    assert [row["ref"] for row in rows] == references and [row["assignee"] for row in rows] == ["AE Das", "AE Das", ""]


def test_publish_a_notice(site, browser) -> None:
    base, database, _ = site
    with session_scope(database) as session:
        subscribe(session, "919811119999", 16, "hi")
    log_in(browser, base, "Admin Rao")
    browser.get(f"{base}/notices")
    wait_for(browser, "notice-form").find_element(By.ID, "notice-ward").send_keys("16")
    browser.find_element(By.ID, "notice-en").send_keys("Water supply off on Sunday, 9 am to 1 pm")
    browser.find_element(By.ID, "notice-hi").send_keys("रविवार सुबह 9 से दोपहर 1 बजे तक पानी बंद रहेगा")
    browser.find_element(By.ID, "notice-bn").send_keys("রবিবার সকাল ৯টা থেকে দুপুর ১টা পর্যন্ত জল বন্ধ থাকবে")
    submit(browser, "publish-notice")
    assert "Published for ward 16; queued for 1 subscribers" in flashes(browser)
    browser.refresh()  # a reload shows the page again and publishes nothing twice
    with session_scope(database) as session:
        notice = session.execute(select(WardNotice).where(WardNotice.ward == 16)).scalar_one()
    assert set(notice.texts) == {"en", "hi", "bn"} and notice.published_by == "Admin Rao"  # one notice: scalar_one
    shot(browser, "notices")


def test_switch_the_page_language_and_every_main_page(site, browser) -> None:
    base, database, _ = site
    log_in(browser, base, "AE Das")  # a Bengali-speaking officer
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("অভিযোগ")
    for page in ("dashboard", "covid", "feedback"):
        browser.get(f"{base}/{page}")
        shot(browser, f"{page}-bn")
    Select(browser.find_element(By.ID, "language")).select_by_value("hi")
    submit(browser, "language-change")
    assert browser.find_element(By.TAG_NAME, "h1").text == "नागरिकों के सुझाव"
    browser.get(f"{base}/complaints")
    shot(browser, "queue-hi")
    log_in(browser, base, "Admin Rao")
    for page in ("dashboard", "covid", "feedback", "audit"):
        browser.get(f"{base}/{page}")
        shot(browser, page)
    assert "set_language" in browser.page_source and "AE Das" in browser.page_source
