// EduQL console. Every page reads and writes through /graphql with the trusted documents the
// server names in <body data-documents>, like any client: the session is an HttpOnly cookie,
// and every request carries the session's CSRF token in X-EduQL-CSRF (which no other origin can
// send) and the chosen role in X-EduQL-Role. Data reaches the page only through textContent.
"use strict";

const page = document.body.dataset.page;
const documents = JSON.parse(document.body.dataset.documents || "{}");
const roleNames = {
  REGION_ADMIN: "администратор региона", MOUO_ADMIN: "администратор МОУО", SCHOOL_ADMIN: "администратор организации",
  TEACHER: "учитель", HOMEROOM_TEACHER: "классный руководитель", PARENT: "родитель", STUDENT: "обучающийся", INTEGRATION: "интеграция",
};
const outcomeNames = { OK: "успешно", PARTIAL: "частично", DENIED: "отказано", INVALID: "ошибка запроса", ERROR: "сбой" };
function russianTime(iso) { return new Date(iso).toLocaleString("ru-RU"); }
const attendanceNames = { ABSENT: "н", ILL: "б", EXCUSED: "у", LATE: "оп" };
const applicationStatuses = { NEW: "на рассмотрении", QUEUED: "в очереди", ALLOCATED: "предложено место", ENROLLED: "зачислен",
                              WITHDRAWN: "отозвано", REJECTED: "отклонено" };
const postNames = {
  HEAD: "руководитель", DEPUTY_HEAD: "заместитель руководителя", TEACHER: "учитель", EDUCATOR: "воспитатель", PSYCHOLOGIST: "педагог-психолог",
  SPEECH_THERAPIST: "учитель-логопед", DEFECTOLOGIST: "учитель-дефектолог", SOCIAL_PEDAGOGUE: "социальный педагог",
  ADDITIONAL_EDUCATION: "педагог дополнительного образования", TUTOR: "тьютор", MUSIC_DIRECTOR: "музыкальный руководитель",
  PHYSICAL_INSTRUCTOR: "инструктор по физической культуре", TEACHER_ORGANIZER: "педагог-организатор", COUNSELLOR: "советник директора",
  OTHER_PEDAGOGICAL: "другой педагогический работник", SUPPORT: "учебно-вспомогательный персонал", SERVICE: "обслуживающий персонал",
};
const benefitStatuses = { CLAIMED: "заявлена, не проверена", CONFIRMED: "подтверждена", REFUSED: "не подтверждена" };
const reportStatuses = { COMPUTED: "рассчитана", SUBMITTED: "отправлена", RETURNED: "возвращена", ACCEPTED: "принята" };

function element(tag, text, attributes) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  return node;
}

function status(message, isError) {
  const box = document.getElementById("status");
  if (!box) return;
  box.hidden = !message;
  box.textContent = message || "";
  box.classList.toggle("error", Boolean(isError));
  box.setAttribute("role", isError ? "alert" : "status");
}

const session = {
  get csrf() { return sessionStorage.getItem("eduql.csrf"); },
  set csrf(value) { value ? sessionStorage.setItem("eduql.csrf", value) : sessionStorage.removeItem("eduql.csrf"); },
  get role() { return sessionStorage.getItem("eduql.role"); },
  set role(value) { value ? sessionStorage.setItem("eduql.role", value) : sessionStorage.removeItem("eduql.role"); },
};

function headers(extra) {
  const all = Object.assign({ "content-type": "application/json", accept: "application/graphql-response+json" }, extra || {});
  if (session.csrf) all["x-eduql-csrf"] = session.csrf;
  if (session.role) all["x-eduql-role"] = session.role;
  return all;
}

function showRequest(response) {
  const id = response.headers.get("x-request-id");
  const out = document.getElementById("request-id");
  if (id && out) out.textContent = id;
}

// The CSRF token of the cookie's session (a new tab has none yet); without a session: sign in.
async function ensureSession() {
  if (session.csrf) return;
  const response = await fetch("/auth/console/csrf", { credentials: "same-origin" });
  if (!response.ok) { location.assign("/console/"); throw new Error("signed out"); }
  session.csrf = (await response.json()).csrf;
}

// One trusted document by name; its data, or an Error with the server's message.
async function api(name, variables, operationName) {
  if (!documents[name]) throw new Error("Нет доверенного документа " + name + ".");
  const response = await fetch("/graphql", {
    method: "POST", credentials: "same-origin", headers: headers(),
    body: JSON.stringify({ documentId: documents[name], variables: variables || {}, operationName }),
  });
  showRequest(response);
  if (response.status === 401) { session.csrf = null; location.assign("/console/"); throw new Error("signed out"); }
  const body = await response.json().catch(() => ({}));
  if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join(" "));
  if (!response.ok) throw new Error("Сервер ответил " + response.status + ".");
  return body.data;
}

// What a refused /auth/console call means to a person.
function refusal(response, body) {
  if (response.status === 401) return "Неверный логин или пароль.";
  if (response.status === 429) return "Слишком много попыток. Попробуйте позже.";
  if (response.status === 503) return "Сервис временно недоступен. Попробуйте позже.";
  return body.message || "Не получилось (" + response.status + ").";
}

async function post(path, payload) {
  const response = await fetch(path, { method: "POST", credentials: "same-origin", headers: headers(), body: JSON.stringify(payload || {}) });
  showRequest(response);
  const body = await response.json().catch(() => ({}));
  return { response, body };
}

function failed(error) { if (error.message !== "signed out") status(error.message, true); }

function isoDay(date) { return date.toISOString().slice(0, 10); }
function monday(offsetWeeks) {
  const now = new Date();
  const day = new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7) + 7 * offsetWeeks);
  return day;
}
function week(offset) {
  const from = monday(offset);
  const to = new Date(from);
  to.setUTCDate(to.getUTCDate() + 6);
  return { from: isoDay(from), to: isoDay(to) };
}
function weeksFromNow(iso) {
  const day = new Date(iso + "T00:00:00Z");
  if (Number.isNaN(day.getTime())) return 0;
  return Math.floor((day.getTime() - monday(0).getTime()) / (7 * 86400000));
}
function russianDate(iso) { const [y, m, d] = iso.split("-"); return d + "." + m + "." + y; }

// --- Shared chrome: who is signed in, in which role, the sections of that role, sign-out.

let me = null;
async function chrome() {
  await ensureSession();
  me = (await api("console/me")).me;
  const who = document.getElementById("who");
  if (who) who.textContent = me.name + " — " + (roleNames[me.role] || me.role) + (me.scope ? ", " + me.scope.name : "");
  const nav = document.getElementById("nav");
  if (nav) {
    for (const link of nav.querySelectorAll("a")) link.hidden = !link.dataset.roles.split(" ").includes(me.role);
    nav.hidden = false;
  }
  return me;
}

function wireSignOut() {
  const button = document.getElementById("sign-out");
  if (!button) return;
  button.addEventListener("click", async () => {
    await post("/auth/console/logout");
    session.csrf = null;
    session.role = null;
    location.assign("/console/");
  });
}

// --- Pages.

const pages = {};

pages["sign-in"] = async function () {
  const form = document.getElementById("sign-in");
  const change = document.getElementById("change-password");
  let password = "";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    password = document.getElementById("password").value;
    const { response, body } = await post("/auth/console/login", { login: document.getElementById("login").value, password });
    if (!response.ok) { status(refusal(response, body), true); return; }
    session.csrf = body.csrf;
    session.role = null;
    if (body.mustChangePassword) { form.hidden = true; change.hidden = false; status("Смените временный пароль."); return; }
    location.assign("/console/home");
  });
  change.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fresh = document.getElementById("new-password").value;
    if (fresh !== document.getElementById("repeat-password").value) { status("Пароли не совпадают.", true); return; }
    const { response, body } = await post("/auth/console/password", { oldPassword: password, newPassword: fresh });
    if (!response.ok) { status(response.status === 401 ? "Сеанс истёк, войдите снова." : body.message || "Пароль не подходит.", true); return; }
    session.csrf = body.csrf;
    location.assign("/console/home");
  });
};

pages.home = async function () {
  await chrome();
  document.getElementById("current-role").textContent = (roleNames[me.role] || me.role) + (me.scope ? " (" + me.scope.name + ")" : "");
  const roles = document.getElementById("roles");
  for (const assignment of me.roles) {
    const button = element("button", (roleNames[assignment.role] || assignment.role) + " — " + assignment.scope.name, { type: "button" });
    button.addEventListener("click", () => { session.role = assignment.id; location.reload(); });
    const item = element("li");
    item.append(button);
    roles.append(item);
  }
  // The role's sections: the header's navigation, as chrome() left it for the role.
  const list = document.getElementById("sections");
  const links = [...document.querySelectorAll("#nav a")].filter((link) => !link.hidden);
  for (const link of links) {
    const item = element("li");
    item.append(element("a", link.textContent, { href: link.getAttribute("href") }));
    list.append(item);
  }
  if (!links.length) list.append(element("li", "Для этой роли разделов консоли пока нет; работайте через API.", { class: "muted" }));
};

pages.diary = async function () {
  const params = new URLSearchParams(location.search);
  let offset = 0;
  const select = document.getElementById("child");
  // Who is signed in and the children: one round, both at once.
  const [, family] = await Promise.all([chrome(), api("console/children")]);
  const children = family.learners.edges.map((edge) => edge.node);
  for (const child of children) select.append(element("option", child.lastName + " " + child.firstName + (child.class ? ", " + child.class.name : ""), { value: child.id }));
  if (params.get("learner")) {
    if (!children.some((child) => child.id === params.get("learner"))) select.append(element("option", "—", { value: params.get("learner") }));
    select.value = params.get("learner");
  }
  // The week, the term's results and who viewed the child's data (30 days): one request.
  async function show() {
    const range = week(offset);
    document.getElementById("week").textContent = russianDate(range.from) + " – " + russianDate(range.to);
    const target = document.getElementById("diary");
    target.replaceChildren();
    document.getElementById("results-card").hidden = true;
    if (!select.value) { status("Нет детей, чей дневник вам доступен."); return; }
    const since = new Date(Date.now() - 30 * 86400000).toISOString();
    const data = await api("console/diary-page", { learnerId: select.value, from: range.from, to: range.to, since });
    if (!data.diary) { status("Не найдено.", true); target.append(element("p", "Не найдено: такого обучающегося нет среди доступных вам.")); return; }
    status("");
    for (const day of data.diary.days) {
      const section = element("section", null, { class: "day card" });
      section.append(element("h2", russianDate(day.date)));
      const table = element("table");
      const head = table.createTHead().insertRow();
      for (const title of ["№", "Предмет", "Тема", "Домашнее задание", "Отметки", "Посещаемость"]) head.append(element("th", title, { scope: "col" }));
      const body = table.createTBody();
      for (const lesson of day.lessons) {
        const row = body.insertRow();
        row.insertCell().textContent = lesson.period;
        const subject = row.insertCell();
        subject.append(element("span", lesson.subject.name));
        const teacher = [lesson.teacher.lastName, lesson.teacher.firstName, lesson.teacher.middleName].filter(Boolean).join(" ");
        subject.append(element("div", teacher + (lesson.room ? ", каб. " + lesson.room : ""), { class: "small muted" }));
        row.insertCell().textContent = lesson.topic || "";
        row.insertCell().textContent = lesson.homework ? lesson.homework.assignment + (lesson.homework.dueOn ? " (к " + russianDate(lesson.homework.dueOn) + ")" : "") : "";
        row.insertCell().textContent = lesson.marks.map((m) => m.value + (m.weight > 1 ? " (×" + m.weight + ")" : "")).join(", ");
        row.insertCell().textContent = lesson.attendance ? attendanceNames[lesson.attendance] || lesson.attendance : "";
      }
      section.append(table);
      target.append(section);
    }
    if (!data.diary.days.length) target.append(element("p", "На этой неделе уроков нет.", { class: "muted" }));
    const results = document.querySelector("#results tbody");
    results.replaceChildren();
    for (const line of data.diary.subjects) {
      const row = results.insertRow();
      row.append(element("th", line.subject.name, { scope: "row" }));
      row.insertCell().textContent = line.weightedAverage === null ? "—" : line.weightedAverage.toFixed(2);
      row.insertCell().textContent = line.markCount;
      row.insertCell().textContent = line.termMark ? line.termMark.value : "";
      row.insertCell().textContent = line.yearMark ? line.yearMark.value : "";
    }
    const term = data.diary.subjects[0] && data.diary.subjects[0].term;
    document.getElementById("results-title").textContent = "Итоги " + (term ? term.number + "-го периода (" + russianDate(term.startsOn) + " – " + russianDate(term.endsOn) + ")" : "периода");
    document.getElementById("results-card").hidden = data.diary.subjects.length === 0;
    const log = document.querySelector("#access-log tbody");
    log.replaceChildren();
    for (const entry of (data.learnerAccessLog || []).slice().reverse().slice(0, 100)) {
      const row = log.insertRow();
      row.insertCell().textContent = russianTime(entry.occurredAt);
      row.insertCell().textContent = entry.login || "";
      row.insertCell().textContent = (roleNames[(entry.role || "").toUpperCase()] || entry.role || "") + (entry.scope ? ", " + entry.scope.name : "");
      row.insertCell().textContent = (entry.operationName || "") + (entry.outcome !== "OK" ? " (" + (outcomeNames[entry.outcome] || entry.outcome) + ")" : "");
    }
  }
  // A parent's kindergarten applications, then each queued one's position (those at once).
  async function applications() {
    if (me.role !== "PARENT") return;
    const list = document.getElementById("applications");
    const edges = (await api("console/applications")).queueApplications.edges;
    const positions = await Promise.all(edges.map(({ node }) => node.status === "QUEUED"
      ? api("parent/queue-position", { applicationId: node.id }).then((data) => data.queuePosition) : null));
    edges.forEach(({ node }, index) => {
      const item = element("li", node.number + " — " + node.childLastName + " " + node.childFirstName + ", " + (applicationStatuses[node.status] || node.status));
      const position = positions[index];
      if (position) {
        item.append(element("span", ": место в очереди " + position.overall + " из " + position.queued + "; "
          + position.byChoice.map((c) => c.organization.shortName + " — " + c.position).join("; ")));
      }
      list.append(item);
    });
    document.getElementById("applications-card").hidden = edges.length === 0;
  }
  select.addEventListener("change", () => show().catch(failed));
  document.getElementById("week-before").addEventListener("click", () => { offset -= 1; show().catch(failed); });
  document.getElementById("week-after").addEventListener("click", () => { offset += 1; show().catch(failed); });
  await Promise.all([show(), applications()]);
};

pages.journal = async function () {
  await chrome();
  const params = new URLSearchParams(location.search);
  // The week of the day asked for (?on=YYYY-MM-DD), else this week.
  let offset = params.get("on") ? weeksFromNow(params.get("on")) : 0;
  let journal = null;
  const select = document.getElementById("assignment");
  // The school's classes and the teacher's own lessons of the day: one request.
  const data = await api("console/classes", { organizationId: me.scope.id, today: isoDay(new Date()) });
  const staff = data.me.staff;
  // A teacher picks among its own classes and subjects; an administrator among all.
  const own = (taught) => me.role === "SCHOOL_ADMIN" || (staff && taught.teacher.id === staff.id);
  const options = [];
  for (const klass of data.organization ? data.organization.classes : []) {
    for (const taught of klass.teachers.filter(own)) options.push({ classId: klass.id, subjectId: taught.subject.id, label: klass.name + " — " + taught.subject.name });
  }
  const seen = new Set();
  for (const option of options) {
    const key = option.classId + ":" + option.subjectId;
    if (seen.has(key)) continue;
    seen.add(key);
    select.append(element("option", option.label, { value: key }));
  }
  // The employee's lessons of a day, each a link to its journal page with the lesson chosen.
  const day = document.getElementById("today-date");
  day.value = isoDay(new Date());
  function lessonsOf(employee) {
    const list = document.getElementById("today");
    list.replaceChildren();
    for (const lesson of employee ? employee.lessons : []) {
      const item = element("li");
      const link = element("a", lesson.period + " урок — " + lesson.class.name + ", " + lesson.subject.name,
        { href: "/console/journal?class=" + lesson.class.id + "&subject=" + lesson.subject.id + "&lesson=" + lesson.id + "&on=" + lesson.heldOn });
      item.append(link, element("span", (lesson.room ? ", каб. " + lesson.room : "") + (lesson.topic ? ": " + lesson.topic : ", тема не задана"),
        { class: "muted" }));
      list.append(item);
    }
    if (employee && !employee.lessons.length) list.append(element("li", "В этот день уроков нет.", { class: "muted" }));
    document.getElementById("today-card").hidden = !employee;
  }
  lessonsOf(staff);
  day.addEventListener("change", async () => {
    if (!day.value) return;
    // Only the answer for the day still chosen is shown: a slower answer for an earlier pick is dropped.
    const chosen = day.value;
    try {
      const staffOfDay = (await api("console/classes", { organizationId: me.scope.id, today: chosen })).me.staff;
      if (day.value === chosen) lessonsOf(staffOfDay);
    } catch (error) { failed(error); }
  });
  if (params.get("class") && params.get("subject")) {
    const key = params.get("class") + ":" + params.get("subject");
    if (!seen.has(key)) select.append(element("option", "—", { value: key }));
    select.value = key;
  }
  async function show() {
    const range = week(offset);
    document.getElementById("week").textContent = russianDate(range.from) + " – " + russianDate(range.to);
    const target = document.getElementById("journal");
    const form = document.getElementById("mark-form");
    target.replaceChildren();
    form.hidden = true;
    if (!select.value) { status("Нет классов и предметов."); return; }
    const [classId, subjectId] = select.value.split(":");
    journal = (await api("teacher/journal-page", { classId, subjectId, from: range.from, to: range.to })).journal;
    if (!journal) { status("Не найдено.", true); target.append(element("p", "Не найдено: этот журнал вам недоступен.")); return; }
    status("");
    const table = element("table");
    table.append(element("caption", journal.class.name + ", " + journal.subject.name));
    const head = table.createTHead().insertRow();
    head.append(element("th", "Обучающийся", { scope: "col" }));
    for (const lesson of journal.lessons) head.append(element("th", russianDate(lesson.heldOn) + ", " + lesson.period + " ур.", { scope: "col" }));
    const body = table.createTBody();
    for (const learner of journal.learners) {
      const row = body.insertRow();
      row.append(element("th", learner.lastName + " " + learner.firstName, { scope: "row" }));
      for (const lesson of journal.lessons) {
        const marks = lesson.marks.filter((m) => m.learner.id === learner.id).map((m) => m.value);
        const absent = lesson.attendance.find((a) => a.learner.id === learner.id);
        row.insertCell().textContent = marks.join(" ") + (absent ? " " + (attendanceNames[absent.code] || absent.code) : "");
      }
    }
    target.append(table);
    const lessons = document.getElementById("mark-lesson");
    const learners = document.getElementById("mark-learner");
    lessons.replaceChildren(...journal.lessons.map((l) => element("option", russianDate(l.heldOn) + ", " + l.period + " урок" + (l.topic ? ": " + l.topic : ""), { value: l.id })));
    learners.replaceChildren(...journal.learners.map((l) => element("option", l.lastName + " " + l.firstName, { value: l.id })));
    if (params.get("lesson") && journal.lessons.some((l) => l.id === params.get("lesson"))) lessons.value = params.get("lesson");
    if (params.get("learner") && journal.learners.some((l) => l.id === params.get("learner"))) learners.value = params.get("learner");
    form.hidden = journal.lessons.length === 0;
    document.getElementById("attendance-form").hidden = form.hidden;
    document.getElementById("lesson-form").hidden = form.hidden;
    fillLesson();
  }
  // The chosen lesson's topic and homework, as the journal has them.
  function fillLesson() {
    const lesson = journal && journal.lessons.find((l) => l.id === document.getElementById("mark-lesson").value);
    document.getElementById("lesson-topic").value = lesson && lesson.topic ? lesson.topic : "";
    document.getElementById("lesson-homework").value = lesson && lesson.homework ? lesson.homework.assignment : "";
    document.getElementById("lesson-due").value = lesson && lesson.homework && lesson.homework.dueOn ? lesson.homework.dueOn : "";
  }
  document.getElementById("mark-lesson").addEventListener("change", fillLesson);
  document.getElementById("attendance-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const code = document.getElementById("attendance-code").value;
      await api("console/record-attendance", { lessonId: document.getElementById("mark-lesson").value,
        records: [{ learnerId: document.getElementById("mark-learner").value, code: code || null }] });
      const [lesson, learner] = [document.getElementById("mark-lesson").value, document.getElementById("mark-learner").value];
      await show();
      document.getElementById("mark-lesson").value = lesson;
      document.getElementById("mark-learner").value = learner;
      fillLesson();
      status("Посещаемость сохранена.");
    } catch (error) { failed(error); }
  });
  document.getElementById("lesson-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const lesson = document.getElementById("mark-lesson").value;
      await api("console/lesson-topic-homework", { lessonId: lesson, topic: document.getElementById("lesson-topic").value.trim(),
        assignment: document.getElementById("lesson-homework").value.trim(), dueOn: document.getElementById("lesson-due").value || null });
      await show();
      document.getElementById("mark-lesson").value = lesson;
      fillLesson();
      status("Тема и задание сохранены.");
    } catch (error) { failed(error); }
  });
  document.getElementById("mark-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("console/record-marks", {
        lessonId: document.getElementById("mark-lesson").value,
        marks: [{ learnerId: document.getElementById("mark-learner").value, value: Number(document.getElementById("mark-value").value),
                  weight: Number(document.getElementById("mark-weight").value) }],
      });
      await show();
      status("Отметка сохранена.");
    } catch (error) { failed(error); }
  });
  select.addEventListener("change", () => show().catch(failed));
  document.getElementById("week-before").addEventListener("click", () => { offset -= 1; show().catch(failed); });
  document.getElementById("week-after").addEventListener("click", () => { offset += 1; show().catch(failed); });
  await show();
};

pages.dashboard = async function () {
  await chrome();
  const regional = me.role === "REGION_ADMIN";
  const to = new Date();
  const from = new Date(to.getTime() - 84 * 86400000);
  // The whole dashboard in one request: the groups for the table, the territory for the charts.
  const data = await api("console/dashboard", { from: isoDay(from), to: isoDay(to) }, regional ? "ConsoleRegionDashboard" : "ConsoleMunicipalDashboard");
  const rows = data.groups;
  const total = data.total[0];
  const body = document.querySelector("#stats tbody");
  const percent = (value) => (value === null || value === undefined ? "" : (value * 100).toFixed(1) + " %");
  for (const row of rows) {
    const line = body.insertRow();
    line.append(element("th", row.group.name, { scope: "row" }));
    if (row.suppressed) {
      const cell = line.insertCell();
      cell.colSpan = 4;
      cell.className = "suppressed";
      cell.textContent = row.suppressionReason === "COMPLEMENTARY" ? "скрыто (позволило бы вычислить малую группу)" : "скрыто (малая численность)";
    } else {
      line.insertCell().textContent = row.learners;
      line.insertCell().textContent = percent(row.attendanceRate);
      line.insertCell().textContent = row.averageMark === null ? "" : row.averageMark.toFixed(2);
      line.insertCell().textContent = percent(row.qualityRate);
    }
    line.insertCell().textContent = row.queueDemand ?? "";
    line.insertCell().textContent = row.freePlaces ?? "";
  }
  if (total) {
    document.getElementById("summary").textContent = total.group.name + ": обучающихся " + (total.learners ?? "скрыто")
      + ", посещаемость " + (percent(total.attendanceRate) || "—") + ", средний балл " + (total.averageMark === null ? "—" : total.averageMark.toFixed(2))
      + ", качество " + (percent(total.qualityRate) || "—") + ".";
  }
  // Chart.js draws into each canvas; animation is off, so a chart is drawn when its constructor returns.
  const settings = (extra) => Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, extra || {});
  function draw(id, config) {
    const canvas = document.getElementById(id);
    const chart = new window.Chart(canvas, config);
    canvas.dataset.drawn = String(chart.data.labels.length);
  }
  const shown = rows.filter((row) => !row.suppressed).slice(0, 40);
  draw("chart", { type: "bar", data: { labels: shown.map((row) => row.group.name), datasets: [
    { label: "Обучающихся", data: shown.map((row) => row.learners), backgroundColor: "#0b3d91", yAxisID: "y" },
    { label: "Средний балл", data: shown.map((row) => row.averageMark), backgroundColor: "#f59e0b", yAxisID: "mark" },
  ] }, options: settings({ scales: { y: { beginAtZero: true }, mark: { position: "right", min: 0, max: 5 } } }) });
  const grades = total && total.contingent ? total.contingent.filter((g) => !g.suppressed) : [];
  draw("chart-grades", { type: "bar", data: { labels: grades.map((g) => (g.grade === null ? "дошк." : g.grade + " кл.")), datasets: [
    { label: "Девочки", data: grades.map((g) => g.female), backgroundColor: "#b91c1c" },
    { label: "Мальчики", data: grades.map((g) => g.male), backgroundColor: "#0b3d91" },
  ] }, options: settings({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }) });
  const weeks = total && total.attendance ? total.attendance : [];
  draw("chart-attendance", { type: "line", data: { labels: weeks.map((w) => russianDate(w.startsOn)), datasets: [
    { label: "Посещаемость, %", data: weeks.map((w) => (w.attendanceRate === null ? null : +(w.attendanceRate * 100).toFixed(1))), borderColor: "#0b3d91", backgroundColor: "#0b3d91" },
  ] }, options: settings({ scales: { y: { min: 0, max: 100 } } }) });
  const marks = total && total.markDistribution;
  draw("chart-marks", { type: "bar", data: { labels: ["1", "2", "3", "4", "5"], datasets: [
    { label: "Отметок", data: marks ? [marks.one, marks.two, marks.three, marks.four, marks.five] : [], backgroundColor: ["#7f1d1d", "#b91c1c", "#f59e0b", "#15803d", "#0b3d91"] },
  ] }, options: settings({ plugins: { legend: { display: false } } }) });
  const ages = total && total.queueByAgeGroup ? total.queueByAgeGroup : [];
  draw("chart-queue", { type: "bar", data: { labels: ages.map((a) => a.ageGroup + " лет"), datasets: [
    { label: "В очереди", data: ages.map((a) => a.queued), backgroundColor: "#b91c1c" },
    { label: "Свободных мест", data: ages.map((a) => a.freePlaces), backgroundColor: "#15803d" },
  ] }, options: settings({ scales: { y: { beginAtZero: true } } }) });
  const months = total && total.movements ? total.movements.slice(-12) : [];
  const monthName = (iso) => iso.slice(5, 7) + "." + iso.slice(0, 4);
  draw("chart-movements", { type: "bar", data: { labels: months.map((m) => monthName(m.month)), datasets: [
    { label: "Прибыли", data: months.map((m) => m.admitted), backgroundColor: "#15803d" },
    { label: "Переведены", data: months.map((m) => m.transferred), backgroundColor: "#f59e0b" },
    { label: "Отчислены", data: months.map((m) => m.expelled), backgroundColor: "#b91c1c" },
    { label: "Выпущены", data: months.map((m) => m.graduated), backgroundColor: "#0b3d91" },
  ] }, options: settings({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }) });
};

pages.queue = async function () {
  await chrome();
  const select = document.getElementById("year");
  const child = (a) => a.childLastName + " " + a.childFirstName + (a.childBirthDate ? ", " + russianDate(a.childBirthDate) : "");
  const choices = (a) => a.choices.map((c) => c.rank + ". " + c.organization.shortName).join("; ");
  const benefit = (a) => (a.benefit ? a.benefit.name + " — " + (benefitStatuses[a.benefitStatus] || a.benefitStatus || "")
    + (a.benefitDocument ? " (документ " + a.benefitDocument + ")" : "") : "");
  const reason = () => document.getElementById("decision-reason").value.trim();
  function act(cell, label, operation, variables, done, needsReason) {
    const button = element("button", label, { type: "button" });
    button.addEventListener("click", async () => {
      if (needsReason && !reason()) { status("Укажите причину отказа в поле «Причина отказа».", true); document.getElementById("decision-reason").focus(); return; }
      try {
        await api("console/queue-review", Object.assign({ reason: needsReason ? reason() : null }, variables), operation);
        status(done);
        await list();
      } catch (error) { failed(error); }
    });
    cell.append(button);
  }
  // A claimed benefit's two answers.
  function decideBenefit(cell, application) {
    if (application.benefitStatus !== "CLAIMED") return;
    act(cell, "Подтвердить льготу", "ConsoleDecideBenefit", { applicationId: application.id, confirm: true }, "Льгота подтверждена.");
    act(cell, "Не подтверждать", "ConsoleDecideBenefit", { applicationId: application.id, confirm: false }, "Льгота не подтверждена.", true);
  }
  // The desk in one request: new applications, the queue and the region's academic years.
  async function list() {
    const data = await api("console/queue-desk", { municipalityId: me.scope.id });
    if (!select.options.length) {
      for (const year of data.municipality ? data.municipality.region.academicYears : []) select.append(element("option", year.name, { value: year.id }));
    }
    const fresh = document.querySelector("#fresh tbody");
    fresh.replaceChildren();
    for (const { node: application } of data.fresh.edges) {
      const row = fresh.insertRow();
      row.insertCell().textContent = application.number;
      row.insertCell().textContent = child(application);
      row.insertCell().textContent = application.ageGroup;
      row.insertCell().textContent = application.applicant.lastName + " " + application.applicant.firstName + (application.applicant.phone ? ", " + application.applicant.phone : "");
      const benefitCell = row.insertCell();
      benefitCell.textContent = benefit(application);
      row.insertCell().textContent = choices(application);
      const decision = row.insertCell();
      act(decision, "Поставить в очередь", "ConsoleReviewApplication", { applicationId: application.id, accept: true }, "Заявление " + application.number + " поставлено в очередь.");
      act(decision, "Отказать", "ConsoleReviewApplication", { applicationId: application.id, accept: false }, "Заявлению " + application.number + " отказано.", true);
      decideBenefit(benefitCell, application);
    }
    document.querySelector("#fresh caption").textContent = "Новые заявления: " + data.fresh.totalCount;
    const body = document.querySelector("#queue tbody");
    body.replaceChildren();
    for (const { node: application } of data.queued.edges) {
      const row = body.insertRow();
      row.insertCell().textContent = application.number;
      row.insertCell().textContent = child(application);
      row.insertCell().textContent = application.ageGroup;
      row.insertCell().textContent = benefit(application);
      row.insertCell().textContent = choices(application);
      const decision = row.insertCell();
      decideBenefit(decision, application);
    }
    document.querySelector("#queue caption").textContent = "Заявления в очереди: " + data.queued.totalCount;
  }
  document.getElementById("run-on").value = isoDay(new Date());
  document.getElementById("distribution").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const on = document.getElementById("run-on").value;
      const run = (await api("console/queue-run-distribution", {
        input: { on, academicYearId: select.value, runKey: "console-" + on + "-" + Date.now() },
      })).runDistribution;
      const body = document.querySelector("#protocol-lines tbody");
      body.replaceChildren();
      for (const line of run.lines) {
        const row = body.insertRow();
        row.insertCell().textContent = line.application ? line.application.number : "";
        row.insertCell().textContent = line.outcome;
        row.insertCell().textContent = line.organization ? line.organization.shortName : "";
        row.insertCell().textContent = line.voucherNumber || "";
      }
      document.getElementById("protocol").hidden = false;
      status("Распределение выполнено: строк в протоколе — " + run.lines.length + ".");
      await list();
    } catch (error) { failed(error); }
  });
  await list();
};

pages.school = async function () {
  await chrome();
  const params = new URLSearchParams(location.search);
  let search = "";
  let after = null;
  // The school (classes, staff with accounts, a page of learners) and the class asked for: at once.
  const [school, classPage] = await Promise.all([
    api("console/school", { organizationId: me.scope.id }),
    params.get("class") ? api("school-portal/class-page", { classId: params.get("class") }) : null,
  ]);
  const data = school.organization;
  if (!data) { status("Не найдено.", true); return; }
  const classes = document.getElementById("classes");
  for (const klass of data.classes) {
    const item = element("li");
    item.append(element("a", klass.name, { href: "/console/school?class=" + klass.id }));
    classes.append(item);
  }
  const chooser = document.getElementById("account-staff");
  const staffBody = document.querySelector("#staff tbody");
  async function account(operation, document, variables, done) {
    try {
      const result = await api(document, variables, operation);
      if (result.resetPassword) showAccount(result.resetPassword);
      status(done);
      await staffList();
    } catch (error) { failed(error); }
  }
  // The staff with their accounts; re-read after an account changes.
  async function staffList(fresh) {
    const people = fresh || (await api("console/school", { organizationId: me.scope.id })).organization.staff;
    staffBody.replaceChildren();
    for (const person of people.filter((s) => !s.dismissedOn)) {
      const name = [person.lastName, person.firstName, person.middleName].filter(Boolean).join(" ");
      const row = staffBody.insertRow();
      row.append(element("th", name, { scope: "row" }));
      row.insertCell().textContent = person.position;
      row.insertCell().textContent = postNames[person.post] || person.post;
      const login = row.insertCell();
      const actions = row.insertCell();
      const user = person.account;
      if (user) {
        const roles = user.roles.filter((r) => !r.revokedAt).map((r) => roleNames[r.role] || r.role).join(", ");
        login.textContent = user.login + (roles ? " (" + roles + ")" : "") + (user.disabled ? " — заблокирована" : user.mustChangePassword ? " — ждёт смены пароля" : "");
        const button = (label, operation, document, done) => {
          const node = element("button", label, { type: "button", "aria-label": label + ": " + user.login });
          node.addEventListener("click", () => account(operation, document, { userId: user.id }, done));
          actions.append(node);
        };
        button("Новый пароль", "ConsoleResetPassword", "console/reset-password", "Выдан новый временный пароль.");
        if (user.disabled) button("Разблокировать", "ConsoleEnableAccount", "console/disable-account", "Учётная запись разблокирована.");
        else button("Заблокировать", "ConsoleDisableAccount", "console/disable-account", "Учётная запись заблокирована.");
      } else {
        login.append(element("span", "нет", { class: "muted" }));
        if (!chooser.querySelector("option[value='" + person.id + "']")) chooser.append(element("option", name + " — " + person.position, { value: person.id }));
      }
    }
    document.getElementById("staff-title").textContent = "Сотрудники: " + people.filter((s) => !s.dismissedOn).length;
  }
  // A page of learners by name; "show more" appends the next page.
  const learnersBody = document.querySelector("#learners tbody");
  function learnerPage(connection) {
    for (const { node } of connection.edges) {
      const row = learnersBody.insertRow();
      row.append(element("th", [node.lastName, node.firstName, node.middleName].filter(Boolean).join(" "), { scope: "row" }));
      const cell = row.insertCell();
      if (node.class) cell.append(element("a", node.class.name, { href: "/console/school?class=" + node.class.id }));
    }
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    document.getElementById("learners-more").hidden = !after;
    document.querySelector("#learners caption").textContent = "Обучающиеся: " + connection.totalCount;
  }
  document.getElementById("learner-search").addEventListener("submit", async (event) => {
    event.preventDefault();
    search = document.getElementById("learner-name").value.trim();
    try {
      const page = await api("console/school", { organizationId: me.scope.id, search: search || null });
      learnersBody.replaceChildren();
      learnerPage(page.learners);
    } catch (error) { failed(error); }
  });
  document.getElementById("learners-more").addEventListener("click", async () => {
    try { learnerPage((await api("console/school", { organizationId: me.scope.id, search: search || null, after })).learners); } catch (error) { failed(error); }
  });
  await staffList(data.staff);
  learnerPage(school.learners);
  if (classPage) {
    const klass = classPage.class;
    document.getElementById("class-card").hidden = false;
    if (!klass) { status("Не найдено.", true); document.getElementById("class-info").textContent = "Не найдено: этот класс вам недоступен."; return; }
    document.getElementById("class-title").textContent = klass.name + " (" + klass.academicYear.name + ")";
    document.getElementById("class-info").textContent = "Классный руководитель: "
      + (klass.homeroomTeacher ? klass.homeroomTeacher.lastName + " " + klass.homeroomTeacher.firstName : "—");
    const body = document.querySelector("#class-learners tbody");
    for (const learner of klass.learners) {
      const row = body.insertRow();
      row.insertCell().textContent = learner.lastName + " " + learner.firstName;
      row.insertCell().textContent = learner.birthDate ? russianDate(learner.birthDate) : "";
      row.insertCell().textContent = learner.guardians.map((g) => g.guardian.lastName + " " + g.guardian.firstName + (g.guardian.phone ? ", " + g.guardian.phone : "")).join("; ");
    }
  }
  let created = null;
  function showAccount(credentials) {
    created = credentials.user;
    document.getElementById("created-login").textContent = credentials.user.login;
    document.getElementById("created-password").textContent = credentials.temporaryPassword;
    document.getElementById("account-card").hidden = false;
  }
  document.getElementById("account-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const chosen = chooser.selectedOptions[0];
      const result = (await api("console/create-account", { input: {
        login: document.getElementById("account-login").value.trim(), displayName: chosen.textContent.split(" — ")[0],
        role: document.getElementById("account-role").value, organizationId: me.scope.id, staffId: chooser.value } })).createUser;
      showAccount(result);
      chosen.remove();
      status("Учётная запись создана.");
      await staffList();
    } catch (error) { failed(error); }
  });
  document.getElementById("account-reset").addEventListener("click", () =>
    account("ConsoleResetPassword", "console/reset-password", { userId: created.id }, "Выдан новый временный пароль."));
  document.getElementById("account-disable").addEventListener("click", () =>
    account("ConsoleDisableAccount", "console/disable-account", { userId: created.id }, "Учётная запись заблокирована."));
};

pages.forms = async function () {
  await chrome();
  const ownOrganization = me.role === "SCHOOL_ADMIN";
  const year = document.getElementById("form-year");
  year.value = String(new Date().getFullYear());
  document.getElementById("compute-form").hidden = !ownOrganization;
  async function download(report, format) {
    const response = await fetch("/forms/reports/" + report.id + "?format=" + format, { credentials: "same-origin", headers: headers() });
    showRequest(response);
    if (!response.ok) { status("Файл не получен (" + response.status + ").", true); return; }
    const link = element("a", null, { href: URL.createObjectURL(await response.blob()), download: report.form + "-" + report.reportingDate + "." + format });
    document.body.append(link);
    link.click();
    link.remove();
  }
  async function step(operation, variables, done) {
    const document = ["ConsoleComputeForm", "ConsoleSubmitForm"].includes(operation) ? "console/form-filing" : "console/form-review";
    try { await api(document, variables, operation); status(done); await list(); } catch (error) { failed(error); }
  }
  async function list() {
    const data = await api("console/forms", { year: Number(year.value) || null });
    const select = document.getElementById("form-kind");
    if (!select.options.length) {
      for (const definition of data.statisticalFormDefinitions) {
        select.append(element("option", definition.form + " (" + definition.edition + ", на " + definition.reportingDay + ")", { value: definition.form }));
      }
    }
    const body = document.querySelector("#reports tbody");
    body.replaceChildren();
    for (const report of data.statisticalReports) {
      const row = body.insertRow();
      row.insertCell().textContent = report.organization.shortName;
      row.insertCell().textContent = report.form + ", " + russianDate(report.reportingDate);
      row.insertCell().textContent = (reportStatuses[report.status] || report.status) + (report.comment ? ": " + report.comment : "");
      const problems = row.insertCell();
      problems.textContent = report.problems.length ? report.problems.map((p) => p.ratio + " (" + p.left + " ≠ " + p.right + ")"
        + (p.units.length ? ": " + p.units.map((u) => u.label).join(", ") : "")).join("; ") : "нет";
      const actions = row.insertCell();
      const button = (label, handler) => { const b = element("button", label, { type: "button" }); b.addEventListener("click", handler); actions.append(b, " "); };
      button("XLSX", () => download(report, "xlsx").catch(failed));
      button("CSV", () => download(report, "csv").catch(failed));
      if (ownOrganization && ["COMPUTED", "RETURNED"].includes(report.status) && !report.problems.length) {
        button("Отправить", () => step("ConsoleSubmitForm", { reportId: report.id }, "Форма отправлена."));
      }
      if (!ownOrganization && report.status === "SUBMITTED") {
        button("Принять", () => step("ConsoleAcceptForm", { reportId: report.id }, "Форма принята."));
        button("Вернуть", () => {
          const comment = document.getElementById("return-comment").value.trim();
          if (!comment) { status("Напишите, что исправить, в поле «Комментарий при возврате».", true); return; }
          step("ConsoleReturnForm", { reportId: report.id, comment }, "Форма возвращена.");
        });
      }
    }
    document.querySelector("#reports caption").textContent = "Формы: " + data.statisticalReports.length;
  }
  document.getElementById("compute-form").addEventListener("submit", (event) => {
    event.preventDefault();
    step("ConsoleComputeForm", { organizationId: me.scope.id, form: document.getElementById("form-kind").value, year: Number(year.value) },
         "Форма рассчитана.");
  });
  year.addEventListener("change", () => list().catch(failed));
  await list();
};

pages.audit = async function () {
  await chrome();
  const form = document.getElementById("audit-filter");
  // The chain's last verification, as the server or `eduql audit verify` recorded it.
  function chain(walk) {
    const box = document.getElementById("chain");
    box.classList.toggle("error", Boolean(walk && !walk.intact));
    box.classList.toggle("ok", Boolean(walk && walk.intact));
    if (!walk) { box.textContent = "Цепочка журнала ещё не проверялась."; return; }
    const when = russianTime(walk.verifiedAt) + (walk.fullWalk ? " (вся цепочка)" : " (новые события)");
    box.textContent = walk.intact
      ? "Цепочка журнала цела: проверено " + when + ", событий проверено " + walk.checked + ", цела по № " + (walk.intactThrough ?? "—") + "."
      : "Цепочка журнала нарушена на событии № " + walk.brokenAt + ": " + (walk.reason || "") + ". Проверено " + when + ".";
  }
  async function show() {
    const value = (id) => document.getElementById(id).value.trim();
    const filter = {};
    if (value("f-login")) filter.login = value("f-login");
    if (value("f-learner")) filter.learnerId = value("f-learner");
    if (value("f-operation")) filter.operation = value("f-operation");
    if (value("f-outcome")) filter.outcome = value("f-outcome");
    if (value("f-from")) filter.from = value("f-from") + "T00:00:00Z";
    if (value("f-to")) filter.to = value("f-to") + "T23:59:59Z";
    const result = await api("console/audit-events", { filter, first: 100 });
    chain(result.auditChain);
    const data = result.auditEvents;
    const body = document.querySelector("#audit tbody");
    body.replaceChildren();
    for (const { node } of data.edges) {
      const what = (node.operationName || node.action || "") + (node.rootFields.length ? " [" + node.rootFields.join(", ") + "]" : "");
      const row = body.insertRow();
      for (const text of [node.seq, russianTime(node.occurredAt), node.login || "", (node.role || "") + (node.scope ? ", " + node.scope.name : ""),
                          what, (outcomeNames[node.outcome] || node.outcome) + (node.errorCodes.length ? " (" + node.errorCodes.join(", ") + ")" : ""),
                          node.learnerIds.join(", "), node.requestId]) row.insertCell().textContent = text;
    }
    document.querySelector("#audit caption").textContent = "События: показано " + data.edges.length + " из " + data.totalCount;
    status("");
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); show().catch(failed); });
  await show();
};

pages.explorer = async function () {
  await chrome();
  const select = document.getElementById("document");
  const names = Object.keys(documents).sort();
  for (const name of names) select.append(element("option", name, { value: name }));
  const shown = document.getElementById("document-text");
  const operations = document.getElementById("operation");
  // The document's text, and its operations to pick from (a document may hold several).
  async function describe() {
    const response = await fetch("/console/documents/" + documents[select.value].replace("sha256:", ""), { credentials: "same-origin" });
    shown.textContent = response.ok ? await response.text() : "";
    const names = [...shown.textContent.matchAll(/^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/gm)].map((match) => match[1]);
    operations.replaceChildren(...names.map((name) => element("option", name, { value: name })));
    operations.disabled = names.length < 2;
  }
  select.addEventListener("change", () => describe().catch(failed));
  document.getElementById("run").addEventListener("click", async () => {
    const result = document.getElementById("result");
    let variables;
    try { variables = JSON.parse(document.getElementById("variables").value || "{}"); } catch (error) { status("Переменные — не JSON: " + error.message, true); return; }
    const response = await fetch("/graphql", { method: "POST", credentials: "same-origin", headers: headers(),
                                               body: JSON.stringify({ documentId: documents[select.value], variables, operationName: operations.value || undefined }) });
    showRequest(response);
    const body = await response.json().catch(() => ({}));
    result.textContent = "HTTP " + response.status + ", запрос " + (response.headers.get("x-request-id") || "—") + "\n" + JSON.stringify(body, null, 2);
    status(body.errors ? "Ответ с ошибками: " + body.errors.map((e) => (e.extensions && e.extensions.code) || e.message).join(", ") : "", Boolean(body.errors));
  });
  await describe();
  const schema = (await api("console/introspection")).__schema;
  const typeName = (t) => (t.kind === "NON_NULL" ? typeName(t.ofType) + "!" : t.kind === "LIST" ? "[" + typeName(t.ofType) + "]" : t.name);
  const filter = document.getElementById("type-filter");
  const target = document.getElementById("types");
  function list() {
    target.replaceChildren();
    const wanted = filter.value.trim().toLowerCase();
    for (const type of schema.types.filter((t) => !t.name.startsWith("__") && t.name.toLowerCase().includes(wanted))) {
      const details = element("details");
      details.append(element("summary", type.name + " (" + type.kind.toLowerCase() + ")"));
      if (type.description) details.append(element("p", type.description, { class: "muted" }));
      const items = element("ul");
      for (const field of type.fields || type.inputFields || []) {
        const args = (field.args || []).map((a) => a.name + ": " + typeName(a.type)).join(", ");
        items.append(element("li", field.name + (args ? "(" + args + ")" : "") + ": " + typeName(field.type)));
      }
      for (const value of type.enumValues || []) items.append(element("li", value.name));
      details.append(items);
      target.append(details);
    }
  }
  filter.addEventListener("input", list);
  list();
};

pages["not-found"] = async function () {};

wireSignOut();
(pages[page] || pages["not-found"])().catch(failed);
