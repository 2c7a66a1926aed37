#!/usr/bin/env python3
"""The web console in a real browser: headless Chromium from Debian's packages, driven by Selenium.

Run by ConsoleBrowserTests against a live server and database:
    console_test.py BASE_URL PLAN.json ARTEFACTS_DIR
PLAN names the demo accounts with their passwords and the objects each scenario uses. Prints one
JSON object: the scenarios' results (what each saw), the browser console's errors, the axe-core
violations of serious or critical impact, and the screenshots written. Exits 0 when it ran to the
end; the Swift test judges the results.
"""
import http.server
import json
import os
import sys
import threading
import time

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

BASE, PLAN, ARTEFACTS = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
DOWNLOADS = os.path.join(ARTEFACTS, "downloads")
results = {"scenarios": {}, "consoleErrors": [], "axe": [], "screenshots": []}


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=ru"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    # Files the pages offer for download land in DOWNLOADS.
    os.makedirs(DOWNLOADS, exist_ok=True)
    for name in os.listdir(DOWNLOADS):
        os.remove(os.path.join(DOWNLOADS, name))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": DOWNLOADS})
    return driver


def wait(driver, condition, seconds=20):
    # A page that re-renders a list while the condition reads it leaves stale elements: ask again.
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def text_of(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def status_shown(driver):
    element = driver.find_element(By.ID, "status")
    return element.text if element.is_displayed() and element.text else False


def hear(driver, act, fragment, seconds=10):
    """Clears the status line, runs `act`, then waits for a status naming `fragment` or an error.

    Clearing first means a message an earlier step left (an error stays until replaced) is never
    read as this step's answer."""
    driver.execute_script("var s = document.getElementById('status');"
                          "s.hidden = true; s.textContent = ''; s.classList.remove('error');")
    act()
    return wait(driver, lambda d: status_shown(d) if fragment in (status_shown(d) or "") or "error" in
                d.find_element(By.ID, "status").get_attribute("class") else False, seconds)


def check_page(driver, name):
    """Screenshot, browser console errors and axe-core's serious violations of the page now shown."""
    path = os.path.join(ARTEFACTS, name + ".png")
    driver.save_screenshot(path)
    results["screenshots"].append(path)
    for entry in driver.get_log("browser"):
        if entry["level"] == "SEVERE":
            results["consoleErrors"].append({"page": name, "message": entry["message"]})
    axe = Axe(driver)
    axe.inject()
    report = axe.run()
    for violation in report["violations"]:
        if violation["impact"] in ("serious", "critical"):
            results["axe"].append({"page": name, "id": violation["id"], "impact": violation["impact"],
                                   "nodes": [node["target"] for node in violation["nodes"][:3]]})


def sign_in(driver, login):
    driver.delete_all_cookies()
    driver.get(BASE + "/console/")
    driver.execute_script("sessionStorage.clear()")
    wait(driver, expected_conditions.presence_of_element_located((By.ID, "login")))
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(PLAN["passwords"][login])
    driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait(driver, expected_conditions.url_contains("/console/home"))
    wait(driver, lambda d: d.find_element(By.ID, "who").text)
    return driver.find_element(By.ID, "who").text


def scenario(name):
    def wrap(function):
        def run(driver):
            try:
                results["scenarios"][name] = function(driver)
            except Exception as error:  # reported, judged by the Swift test
                results["scenarios"][name] = {"error": f"{type(error).__name__}: {error}", "url": driver.current_url,
                                              "status": driver.execute_script("var s = document.getElementById('status'); return s && s.textContent")}
                try:
                    driver.save_screenshot(os.path.join(ARTEFACTS, name + "-failed.png"))
                except Exception:
                    pass
        return run
    return wrap


@scenario("signIn")
def sign_in_page(driver):
    driver.delete_all_cookies()
    driver.get(BASE + "/console/")
    wait(driver, expected_conditions.presence_of_element_located((By.ID, "login")))
    # What the first page transferred: the document and every file it loaded.
    first_page = driver.execute_script("""
        return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
            .reduce((n, e) => n + (e.transferSize || e.encodedBodySize || 0), 0);""")
    check_page(driver, "sign-in")
    driver.find_element(By.ID, "login").send_keys("parent")
    driver.find_element(By.ID, "password").send_keys("not the password at all")
    driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    refused = wait(driver, status_shown)
    driver.get_log("browser")  # the refused sign-in's 401, as intended
    cookie = driver.get_cookie("eduql_session")
    who = sign_in(driver, "parent")
    cookie = driver.get_cookie("eduql_session")
    return {"refused": refused, "who": who, "httpOnly": cookie and cookie.get("httpOnly"), "sameSite": cookie and cookie.get("sameSite"),
            "firstPageBytes": first_page}


@scenario("parentDiary")
def parent_diary(driver):
    sign_in(driver, "parent")
    check_page(driver, "home-parent")
    driver.find_element(By.LINK_TEXT, "Дневник").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#diary section.day") or status_shown(d))
    days = len(driver.find_elements(By.CSS_SELECTOR, "#diary section.day"))
    lessons = len(driver.find_elements(By.CSS_SELECTOR, "#diary tbody tr"))
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#access-log tbody tr"))
    wait(driver, lambda d: d.find_element(By.ID, "applications-card").is_displayed())
    viewers = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#access-log tbody tr")]
    applications = text_of(driver, "#applications")
    results_shown = driver.find_element(By.ID, "results-card").is_displayed()
    term_results = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")]
    check_page(driver, "diary")
    # On a phone's width the page scrolls down only: wide tables scroll inside their own boxes.
    driver.set_window_size(390, 844)
    driver.refresh()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#diary section.day"))
    phone = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    check_page(driver, "diary-phone")
    driver.set_window_size(1280, 900)
    return {"phoneWidths": phone, "days": days, "lessons": lessons, "week": text_of(driver, "#week"), "viewers": viewers[:5], "applications": applications,
            "resultsShown": results_shown, "termResults": term_results[:20], "resultsTitle": text_of(driver, "#results-title")}


@scenario("teacherMarks")
def teacher_marks(driver):
    mark = PLAN["mark"]
    sign_in(driver, "teacher")
    # The lessons of the lesson's day, each leading to its journal page with the lesson chosen.
    driver.find_element(By.LINK_TEXT, "Журнал").click()
    wait(driver, expected_conditions.visibility_of_element_located((By.ID, "today-card")))
    driver.execute_script("const d = document.getElementById('today-date'); d.value = arguments[0]; d.dispatchEvent(new Event('change'))",
                          mark["heldOn"])
    link = wait(driver, lambda d: next((a for a in d.find_elements(By.CSS_SELECTOR, "#today a")
                                        if f"lesson={mark['lessonId']}&" in a.get_attribute("href")), None))
    day_lessons = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#today li")]
    link.click()
    wait(driver, expected_conditions.visibility_of_element_located((By.ID, "mark-form")))
    lesson_chosen = driver.find_element(By.ID, "mark-lesson").get_attribute("value") == mark["lessonId"]
    own_choices = [option.text for option in Select(driver.find_element(By.ID, "assignment")).options]
    Select(driver.find_element(By.ID, "mark-learner")).select_by_value(mark["learnerId"])
    learners = len(driver.find_elements(By.CSS_SELECTOR, "#journal tbody tr"))
    check_page(driver, "journal")
    Select(driver.find_element(By.ID, "mark-value")).select_by_visible_text(str(mark["value"]))
    Select(driver.find_element(By.ID, "mark-weight")).select_by_visible_text(str(mark["weight"]))
    saved = hear(driver, driver.find_element(By.CSS_SELECTOR, "#mark-form button[type=submit]").click, "сохранена")
    request_id = text_of(driver, "#request-id")
    # The same learner late, and the lesson's topic and homework.
    Select(driver.find_element(By.ID, "attendance-code")).select_by_value("LATE")
    attendance = hear(driver, driver.find_element(By.CSS_SELECTOR, "#attendance-form button[type=submit]").click,
                      "Посещаемость")
    late_in_journal = "оп" in text_of(driver, "#journal")
    topic = driver.find_element(By.ID, "lesson-topic")
    topic.clear()
    topic.send_keys(mark["topic"])
    homework = driver.find_element(By.ID, "lesson-homework")
    homework.clear()
    homework.send_keys(mark["homework"])
    lesson_saved = hear(driver, driver.find_element(By.CSS_SELECTOR, "#lesson-form button[type=submit]").click, "Тема")
    # The parent then sees it in the diary of that week.
    sign_in(driver, "parent")
    driver.get(BASE + f"/console/diary?learner={mark['learnerId']}")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#diary section.day") or status_shown(d))
    for _ in range(6):
        if mark["heldOnRussian"] in driver.find_element(By.ID, "diary").text:
            break
        driver.find_element(By.ID, "week-before").click()
        time.sleep(0.5)
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#diary section.day") or status_shown(d))
    seen = driver.find_element(By.ID, "diary").text
    return {"learners": learners, "saved": saved, "requestId": request_id, "dayLessons": day_lessons, "lessonChosen": lesson_chosen,
            "ownChoices": own_choices,
            "parentSees": f"{mark['value']} (×{mark['weight']})" in seen, "parentDay": mark["heldOnRussian"] in seen,
            "attendance": attendance, "lateInJournal": late_in_journal, "lessonSaved": lesson_saved,
            "parentSeesTopic": mark["topic"] in seen and mark["homework"] in seen, "parentSeesLate": "оп" in seen}


@scenario("notFound")
def not_found(driver):
    sign_in(driver, "parent")
    driver.get(BASE + f"/console/diary?learner={PLAN['otherLearnerId']}")
    shown = wait(driver, status_shown)
    diary = text_of(driver, "#diary")
    driver.get(BASE + "/console/no-such-page")
    unknown = text_of(driver, "h1")
    driver.get_log("browser")  # the unknown page's 404, as intended
    return {"status": shown, "diary": diary, "unknownPage": unknown}


@scenario("queueDistribution")
def queue_distribution(driver):
    sign_in(driver, "mouo.admin")
    driver.find_element(By.LINK_TEXT, "Очередь в детские сады").click()
    wait(driver, lambda d: "Заявления в очереди:" in text_of(d, "#queue caption"))
    wait(driver, lambda d: len(Select(d.find_element(By.ID, "year")).options) > 0)
    queued = text_of(driver, "#queue caption")
    fresh_before = text_of(driver, "#fresh caption")
    check_page(driver, "queue")
    number = PLAN["review"]["number"]

    def in_fresh(label):
        rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#fresh tbody tr") if r.find_elements(By.TAG_NAME, "td")[0].text == number]
        return [b for b in rows[0].find_elements(By.TAG_NAME, "button") if b.text == label] if rows else []

    # Refusing needs a reason; the claimed benefit is confirmed, then the application queued.
    wait(driver, lambda d: in_fresh("Отказать"))
    no_reason = hear(driver, in_fresh("Отказать")[0].click, "Укажите причину")
    benefit = hear(driver, in_fresh("Подтвердить льготу")[0].click, "Льгота")
    wait(driver, lambda d: in_fresh("Поставить в очередь") and not in_fresh("Подтвердить льготу"))
    reviewed = hear(driver, in_fresh("Поставить в очередь")[0].click, "поставлено в очередь")
    wait(driver, lambda d: not in_fresh("Поставить в очередь"))
    fresh_after = text_of(driver, "#fresh caption")
    Select(driver.find_element(By.ID, "year")).select_by_value(PLAN["academicYearId"])
    driver.execute_script("document.getElementById('run-on').value = arguments[0]", PLAN["distributionOn"])
    done = hear(driver, driver.find_element(By.CSS_SELECTOR, "#distribution button[type=submit]").click,
                "Распределение", 60)
    lines = len(driver.find_elements(By.CSS_SELECTOR, "#protocol-lines tbody tr"))
    check_page(driver, "queue-protocol")
    return {"queued": queued, "status": done, "protocolLines": lines, "noReason": no_reason, "benefit": benefit, "reviewed": reviewed,
            "freshBefore": fresh_before, "freshAfter": fresh_after}


@scenario("regionDashboard")
def region_dashboard(driver):
    sign_in(driver, "region.admin")
    driver.find_element(By.LINK_TEXT, "Показатели").click()
    charts = ["chart", "chart-grades", "chart-attendance", "chart-marks", "chart-queue", "chart-movements"]
    wait(driver, lambda d: all(d.find_element(By.ID, c).get_attribute("data-drawn") for c in charts))
    drawn = {c: int(driver.find_element(By.ID, c).get_attribute("data-drawn")) for c in charts}
    # Pixels each chart painted: a blank canvas has none that are not transparent.
    painted = {c: driver.execute_script("""
        const c = document.getElementById(arguments[0]); const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++; return n;""", c) for c in charts}
    rows = len(driver.find_elements(By.CSS_SELECTOR, "#stats tbody tr"))
    suppressed = len(driver.find_elements(By.CSS_SELECTOR, "#stats td.suppressed"))
    check_page(driver, "dashboard")
    return {"drawn": drawn, "painted": painted, "rows": rows, "suppressedCells": suppressed, "summary": text_of(driver, "#summary")}


@scenario("auditAndExplorer")
def audit_and_explorer(driver):
    sign_in(driver, "region.admin")
    driver.find_element(By.LINK_TEXT, "Журнал аудита").click()
    wait(driver, lambda d: "События: показано" in text_of(d, "#audit caption"))
    everything = text_of(driver, "#audit caption")
    chain = text_of(driver, "#chain")
    check_page(driver, "audit")
    driver.find_element(By.ID, "f-login").send_keys("teacher")
    driver.find_element(By.CSS_SELECTOR, "#audit-filter button[type=submit]").click()
    wait(driver, lambda d: text_of(d, "#audit caption") != everything)
    logins = {row.find_elements(By.TAG_NAME, "td")[2].text for row in driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")}
    # By operation, on the server: the teacher's sign-ins.
    driver.find_element(By.ID, "f-operation").send_keys("login")
    by_teacher = text_of(driver, "#audit caption")
    driver.find_element(By.CSS_SELECTOR, "#audit-filter button[type=submit]").click()
    wait(driver, lambda d: text_of(d, "#audit caption") != by_teacher)
    actions = {row.find_elements(By.TAG_NAME, "td")[4].text for row in driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")}
    driver.get(BASE + "/console/explorer")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#types details"))
    Select(driver.find_element(By.ID, "document")).select_by_value("console/me")
    wait(driver, lambda d: "ConsoleMe" in text_of(d, "#document-text"))
    driver.find_element(By.ID, "run").click()
    wait(driver, lambda d: "HTTP" in text_of(d, "#result"))
    result = text_of(driver, "#result")
    # A document of two operations: the one picked runs, with its variables.
    Select(driver.find_element(By.ID, "document")).select_by_value("console/dashboard")
    wait(driver, lambda d: len(Select(d.find_element(By.ID, "operation")).options) == 2)
    Select(driver.find_element(By.ID, "operation")).select_by_value("ConsoleRegionDashboard")
    variables = driver.find_element(By.ID, "variables")
    variables.clear()
    variables.send_keys(json.dumps({"from": PLAN["mark"]["heldOn"], "to": PLAN["mark"]["heldOn"]}))
    driver.find_element(By.ID, "run").click()
    wait(driver, lambda d: text_of(d, "#result") != result and "HTTP" in text_of(d, "#result"))
    dashboard = json.loads(text_of(driver, "#result").split("\n", 1)[1])
    driver.find_element(By.ID, "type-filter").send_keys("AuditEvent")
    types = [summary.text for summary in driver.find_elements(By.CSS_SELECTOR, "#types summary")]
    check_page(driver, "explorer")
    return {"all": everything, "filteredLogins": sorted(logins), "result": result[:400], "types": types[:10], "chain": chain,
            "loginActions": sorted(actions), "dashboardGroups": len(dashboard.get("data", {}).get("groups", [])),
            "dashboardErrors": dashboard.get("errors")}


@scenario("schoolAdmin")
def school_admin(driver):
    sign_in(driver, "school.admin")
    driver.find_element(By.LINK_TEXT, "Организация").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#classes a"))
    classes = len(driver.find_elements(By.CSS_SELECTOR, "#classes a"))
    driver.find_elements(By.CSS_SELECTOR, "#classes a")[0].click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#class-learners tbody tr"))
    learners = len(driver.find_elements(By.CSS_SELECTOR, "#class-learners tbody tr"))
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#learners tbody tr"))
    listed = text_of(driver, "#learners caption")
    surname = driver.find_element(By.CSS_SELECTOR, "#learners tbody tr th").text.split(" ")[0]
    driver.find_element(By.ID, "learner-name").send_keys(surname)
    driver.find_element(By.CSS_SELECTOR, "#learner-search button[type=submit]").click()
    wait(driver, lambda d: text_of(d, "#learners caption") != listed)
    found = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#learners tbody tr th")]
    check_page(driver, "school")

    def create(login):
        driver.find_element(By.ID, "account-login").clear()
        driver.find_element(By.ID, "account-login").send_keys(login)
        driver.find_element(By.CSS_SELECTOR, "#account-form button[type=submit]").click()
        wait(driver, lambda d: d.find_element(By.ID, "created-login").text == login or "error" in d.find_element(By.ID, "status").get_attribute("class"))
        return driver.find_element(By.ID, "created-password").text

    first = create("console.first")
    disabled = hear(driver, driver.find_element(By.ID, "account-disable").click, "заблокирована")
    # The staff list shows the accounts, and the disabled one as such.
    wait(driver, lambda d: "console.first" in text_of(d, "#staff tbody"))
    staff_row = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#staff tbody tr") if "console.first" in r.text][0]
    create("console.second")
    hear(driver, driver.find_element(By.ID, "account-reset").click, "новый временный")
    second = driver.find_element(By.ID, "created-password").text
    # The disabled account cannot sign in; the other changes its temporary password and is in.
    driver.delete_all_cookies()
    driver.get(BASE + "/console/")
    driver.find_element(By.ID, "login").send_keys("console.first")
    driver.find_element(By.ID, "password").send_keys(first)
    driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    refused = wait(driver, status_shown)
    driver.get_log("browser")  # its 401, as intended
    driver.get(BASE + "/console/")
    driver.execute_script("sessionStorage.clear()")
    driver.find_element(By.ID, "login").send_keys("console.second")
    driver.find_element(By.ID, "password").send_keys(second)
    driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait(driver, expected_conditions.visibility_of_element_located((By.ID, "change-password")))
    fresh = "Новый-пароль-консоли-2026"
    driver.find_element(By.ID, "new-password").send_keys(fresh)
    driver.find_element(By.ID, "repeat-password").send_keys(fresh)
    driver.find_element(By.CSS_SELECTOR, "#change-password button[type=submit]").click()
    wait(driver, expected_conditions.url_contains("/console/home"))
    who = wait(driver, lambda d: d.find_element(By.ID, "who").text)
    return {"classes": classes, "learners": learners, "disabled": disabled, "refused": refused, "who": who,
            "listed": listed, "surname": surname, "found": found[:20], "staffRow": staff_row}


@scenario("statisticalForms")
def statistical_forms(driver):
    def row_button(label):
        wait(driver, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#reports button") if b.text == label])
        [b for b in driver.find_elements(By.CSS_SELECTOR, "#reports button") if b.text == label][0].click()

    def row_said(label, fragment):
        return hear(driver, lambda: row_button(label), fragment, 60)

    def school_files():
        sign_in(driver, "school.admin")
        driver.get(BASE + "/console/forms")
        wait(driver, lambda d: len(Select(d.find_element(By.ID, "form-kind")).options) > 0)
        before = text_of(driver, "#reports tbody")
        Select(driver.find_element(By.ID, "form-kind")).select_by_value("OO-1")
        computed = hear(driver, driver.find_element(By.CSS_SELECTOR, "#compute-form button[type=submit]").click,
                        "рассчитана", 60)
        return before, computed, row_said("Отправить", "отправлена")

    _, computed, submitted = school_files()
    check_page(driver, "forms-school")
    sign_in(driver, "mouo.admin")
    driver.get(BASE + "/console/forms")
    driver.find_element(By.ID, "return-comment").send_keys("Проверьте численность девочек")
    returned = row_said("Вернуть", "возвращена")
    check_page(driver, "forms-municipality")
    seen_by_school, computed_again, submitted_again = school_files()
    sign_in(driver, "mouo.admin")
    driver.get(BASE + "/console/forms")
    accepted = row_said("Принять", "принята")
    states = text_of(driver, "#reports tbody")
    # The accepted form's files, as the buttons download them.
    downloads = {}
    for label in ("CSV", "XLSX"):
        row_button(label)
        suffix = "." + label.lower()
        found = wait(driver, lambda d: [n for n in os.listdir(DOWNLOADS) if n.endswith(suffix)], 30)
        path = os.path.join(DOWNLOADS, found[0])
        with open(path, "rb") as file:
            head = file.read(4)
        downloads[label] = {"name": found[0], "bytes": os.path.getsize(path), "head": head.hex()}
    return {"computed": computed, "submitted": submitted, "returned": returned, "submittedAgain": submitted_again,
            "accepted": accepted, "states": states[:300], "schoolSawComment": "Проверьте численность девочек" in seen_by_school,
            "downloads": downloads}


class Evil(http.server.BaseHTTPRequestHandler):
    """Another origin's page: tries to record a mark with the teacher's session, as a simple
    cross-origin request (no preflight) that carries whatever cookies the browser would send."""
    def do_GET(self):
        mark = PLAN["mark"]
        query = 'mutation { recordMarks(lessonId: "%s", marks: [{learnerId: "%s", value: 2, weight: 3}]) { value } }' % (
            mark["lessonId"], mark["learnerId"])
        body = json.dumps(json.dumps({"query": query}))
        page = ("<!doctype html><html><head><title>waiting</title></head><body><script>"
                f"fetch({json.dumps(BASE + '/graphql')}, {{method: 'POST', credentials: 'include', mode: 'no-cors', "
                f"headers: {{'content-type': 'text/plain'}}, body: {body}}})"
                ".then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });"
                "</script></body></html>")
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *arguments):
        pass


@scenario("crossOrigin")
def cross_origin(driver):
    evil = http.server.HTTPServer(("127.0.0.1", 0), Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    sign_in(driver, "teacher")
    driver.get(f"http://localhost:{evil.server_address[1]}/")
    sent = wait(driver, lambda d: d.title if d.title in ("sent", "failed") else False)
    evil.shutdown()
    driver.get_log("browser")  # the other origin's errors are not the console's
    return {"sent": sent}


driver = browser()
try:
    for run in [sign_in_page, parent_diary, teacher_marks, not_found, queue_distribution, region_dashboard, audit_and_explorer, school_admin, statistical_forms, cross_origin]:
        run(driver)
finally:
    driver.quit()
print(json.dumps(results, ensure_ascii=False))
