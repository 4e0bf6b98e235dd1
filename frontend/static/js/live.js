// Live town hall client: no framework. The server-rendered board works without this file;
// with it, the board follows the session over a WebSocket. One client, three views
// (article#town-hall[data-view]): "participant" (ask, vote, answer polls, raise a hand),
// "console" (the facilitators' controls) and "screen" (the projector: read only).
// Delivery: every event has a seq. On a gap (seq jumps) or reconnect we send
// {type: "resume", last_seq} and apply the stored events we missed. Events carry absolute
// state, so applying one twice is harmless.

const root = document.getElementById("town-hall");
const T = JSON.parse(document.getElementById("live-strings").textContent);
const view = root.dataset.view;
const REASONS = view === "console" ? JSON.parse(document.getElementById("reject-reasons").textContent) : [];
const $ = (id) => document.getElementById(id);

const state = { seq: 0, questions: new Map(), polls: new Map(), myVotes: new Set(),
  myAnswers: {}, speakers: { queue: [], current: null }, status: "scheduled",
  sort: root.dataset.sort === "time" ? "time" : "votes" };
let ws = null;
let resuming = false;
let retry = 500;
let refs = 0;

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function send(message) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function act(action, args = {}) {
  send({ type: "action", action, ref: String(++refs), ...args });
}

function button(label, onClick) {
  const b = el("button", label, { type: "button" });
  b.addEventListener("click", onClick);
  return b;
}

const byVotes = (a, b) => b.votes - a.votes || a.id - b.id;
const byTime = (a, b) => b.id - a.id;
const isPublic = (q) => q.status === "approved" || q.status === "answered";

function votesWord(n) {
  return n === 1 ? T.vote_one : T.votes;
}

function questionItem(q) {
  const li = el("li", null, { "data-question-id": q.id, "data-status": q.status });
  li.append(el("span", q.text, { class: "q-text", dir: "auto" }), " ");
  if (q.clause_key) li.append(el("span", `(${q.clause_key}) `, { class: "q-clause" }));
  li.append(el("span", q.votes, { class: "q-votes" }), " ",
    el("span", votesWord(q.votes), { class: "q-votes-word" }), " ");
  if (q.status === "answered") {
    li.append(el("strong", T.answered));
    if (q.answer) li.append(": ", el("span", q.answer, { class: "q-answer", dir: "auto" }));
  }
  return li;
}

function renderState() {
  root.dataset.seq = state.seq;
  $("live-state").textContent = T[state.status] || state.status;
  $("live-state").dataset.state = state.status;
}

function renderSpeakers() {
  $("live-current-speaker").textContent = state.speakers.current ? state.speakers.current.name : "—";
  $("live-speakers").replaceChildren(...state.speakers.queue.map((s) => el("li", s.name, { dir: "auto" })));
}

function renderParticipant() {
  const list = $("live-questions");
  const pendingBox = $("live-pending");
  const pending = pendingBox.querySelector("ol");
  list.replaceChildren();
  pending.replaceChildren();
  const all = [...state.questions.values()];
  const shown = all.filter(isPublic).sort(state.sort === "time" ? byTime : byVotes);
  for (const q of shown) {
    const li = questionItem(q);
    if (q.status === "approved" && state.status === "live") {
      const voted = state.myVotes.has(q.id);
      li.append(button(voted ? T.unvote : T.vote, () => act(voted ? "unvote" : "vote", { question_id: q.id })));
    }
    list.append(li);
  }
  if (!shown.length) list.append(el("li", T.none, { class: "empty" }));
  for (const link of document.querySelectorAll(".question-sort a")) {
    if (link.dataset.sort === state.sort) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
  const waiting = all.filter((q) => q.status === "pending" || (q.status === "rejected" && q.text));
  for (const q of waiting) {
    const li = el("li", q.text, { "data-question-id": q.id, "data-status": q.status, dir: "auto" });
    li.append(` (${q.status === "pending" ? T.pending : T.rejected}${q.reject_reason ? ": " + q.reject_reason : ""}) `);
    pending.append(li);
  }
  pendingBox.hidden = waiting.length === 0;

  const polls = $("live-polls");
  polls.replaceChildren();
  for (const p of state.polls.values()) {
    const box = el("div", null, { class: "poll", "data-poll-id": p.id });
    const heading = el("h3");
    heading.append(el("bdi", p.question), ` (${p.status === "open" ? T.open : T.closed})`);
    box.append(heading);
    const form = el("form");
    const ul = el("ul");
    const answered = state.myAnswers[String(p.id)];
    const canAnswer = p.status === "open" && !answered && state.status === "live";
    for (const o of p.options) {
      const li = el("li");
      if (canAnswer) {
        const id = `poll-${p.id}-o-${o.id}`;
        const input = el("input", null, { type: p.kind === "multiple" ? "checkbox" : "radio", name: `poll-${p.id}`, value: o.id, id });
        li.append(input, el("label", o.label, { for: id, dir: "auto" }));
      } else {
        li.append(el("bdi", o.label));
      }
      li.append(": ", el("span", o.votes, { class: "o-votes" }));
      ul.append(li);
    }
    form.append(ul);
    if (canAnswer) {
      form.append(el("button", T.submit, { type: "submit" }));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const ids = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
        act("answer_poll", { poll_id: p.id, option_ids: ids });
      });
    }
    box.append(form);
    polls.append(box);
  }
  renderSpeakers();
  const live = state.status === "live";
  $("ask-form").hidden = !live;
  $("hand-form").hidden = !live;
}

function renderConsole() {
  const live = state.status === "live";
  $("fac-start").disabled = state.status !== "scheduled";
  $("fac-end").disabled = !live;
  const all = [...state.questions.values()];
  const pending = $("console-pending");
  pending.replaceChildren();
  for (const q of all.filter((x) => x.status === "pending").sort(byTime).reverse()) {
    const li = el("li", null, { "data-question-id": q.id, "data-status": q.status });
    li.append(el("span", q.text, { class: "q-text", dir: "auto" }));
    const actions = el("div", null, { class: "q-actions" });
    actions.append(button(T.approve, () => act("approve", { question_id: q.id })));
    const id = `reason-${q.id}`;
    const select = el("select", null, { id });
    for (const [value, label] of REASONS) select.append(el("option", label, { value }));
    actions.append(el("label", T.reason, { for: id }), select,
      button(T.reject, () => act("reject", { question_id: q.id, reason: select.value })));
    li.append(actions);
    pending.append(li);
  }
  if (!pending.children.length) pending.append(el("li", T.none_pending, { class: "empty" }));
  const list = $("live-questions");
  list.replaceChildren();
  const shown = all.filter(isPublic).sort(byVotes);
  for (const q of shown) {
    const li = questionItem(q);
    if (q.status === "approved" && live) {
      const form = el("form", null, { class: "q-actions" });
      const id = `answer-${q.id}`;
      const input = el("input", null, { id, maxlength: "2000" });
      form.append(el("label", T.answer_label, { for: id }), input, el("button", T.answer, { type: "submit" }));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        act("answered", { question_id: q.id, answer: input.value });
      });
      li.append(form);
    }
    list.append(li);
  }
  if (!shown.length) list.append(el("li", T.none, { class: "empty" }));
  const polls = $("live-polls");
  polls.replaceChildren();
  for (const p of state.polls.values()) {
    const box = el("div", null, { class: "poll", "data-poll-id": p.id });
    const heading = el("h3");
    heading.append(el("bdi", p.question), ` (${p.status === "open" ? T.open : T.closed})`);
    const ul = el("ul");
    for (const o of p.options) {
      const li = el("li");
      li.append(el("bdi", o.label), ": ", el("span", o.votes, { class: "o-votes" }));
      ul.append(li);
    }
    box.append(heading, ul);
    if (p.status === "open") box.append(button(T.close, () => act("close_poll", { poll_id: p.id })));
    polls.append(box);
  }
  if (!state.polls.size) polls.append(el("p", T.no_polls, { class: "empty" }));
  renderSpeakers();
}

function renderScreen() {
  const current = [...state.questions.values()].filter((q) => q.status === "approved").sort(byVotes)[0];
  $("screen-current").textContent = current ? current.text : T.none;
  const polls = $("live-polls");
  const latest = [...state.polls.values()].sort((a, b) => b.id - a.id)[0];
  polls.replaceChildren();
  if (!latest) {
    polls.append(el("p", T.no_polls, { class: "empty" }));
    return;
  }
  const box = el("div", null, { class: "poll", "data-poll-id": latest.id });
  const heading = el("h3");
  heading.append(el("bdi", latest.question));
  const ul = el("ul");
  for (const o of latest.options) {
    const li = el("li");
    li.append(el("bdi", o.label), ": ", el("span", o.votes, { class: "o-votes" }));
    ul.append(li);
  }
  box.append(heading, ul);
  polls.append(box);
}

const VIEWS = { participant: renderParticipant, console: renderConsole, screen: renderScreen };

function render() {
  renderState();
  VIEWS[view]();
}

function setLine(id, text) {
  // The console shows the lines as fields of the session ("—" when empty); the other views
  // show a line only while it has text.
  if (view === "console") {
    $(id).textContent = text || "—";
    return;
  }
  $(id).textContent = text;
  $(id).hidden = !text;
}

/* An ended town hall: its last announcement and caption go, and the connection line stops
   promising live updates (the server cleared them too, for later visitors). */
function showEnded() {
  setLine("live-announcement", "");
  setLine("live-caption", "");
  $("live-connection").textContent = T.ended_note;
}

function applyEvent(m) {
  const p = m.payload;
  switch (m.event) {
    case "question": state.questions.set(p.question.id, { ...state.questions.get(p.question.id), ...p.question }); break;
    case "tally":
      for (const [id, votes] of Object.entries(p.votes)) {
        const q = state.questions.get(Number(id));
        if (q) q.votes = votes;
      }
      for (const poll of p.polls) state.polls.set(poll.id, poll);
      if ($("live-presence")) $("live-presence").textContent = p.presence;
      break;
    case "poll": state.polls.set(p.poll.id, p.poll); break;
    case "speakers": state.speakers = p; break;
    case "announcement": setLine("live-announcement", p.text); break;
    case "caption": setLine("live-caption", p.text); break;
    case "state":
      state.status = p.state;
      if (p.state === "ended") showEnded();
      break;
  }
  state.seq = m.seq;
}

const early = new Map(); // events that arrived before an earlier seq
let gapTimer = null;

function drainEarly() {
  while (early.has(state.seq + 1)) {
    const next = early.get(state.seq + 1);
    early.delete(next.seq);
    applyEvent(next);
  }
  for (const seq of early.keys()) if (seq <= state.seq) early.delete(seq);
}

function onEvent(m) {
  if (m.seq <= state.seq) return; // already applied (replay and live overlap)
  if (m.seq > state.seq + 1) {
    // Two processes may deliver out of order; if the missing seq does not follow shortly,
    // the layer dropped it: fetch it from the stored log.
    early.set(m.seq, m);
    if (!gapTimer) {
      gapTimer = setTimeout(() => {
        gapTimer = null;
        if (early.size && !resuming) { resuming = true; send({ type: "resume", last_seq: state.seq }); }
      }, 300);
    }
    return;
  }
  applyEvent(m);
  drainEarly();
  render();
}

function onSnapshot(s) {
  state.seq = s.seq;
  state.status = s.state;
  state.questions = new Map(s.questions.map((q) => [q.id, q]));
  state.polls = new Map(s.polls.map((p) => [p.id, p]));
  state.myVotes = new Set(s.my_votes);
  state.myAnswers = s.my_answers;
  state.speakers = s.speakers;
  if ($("live-presence")) $("live-presence").textContent = s.presence;
  setLine("live-announcement", s.announcement);
  setLine("live-caption", s.caption);
  if (s.state === "ended") showEnded();
  drainEarly();
  render();
}

function onMessage(raw) {
  const m = JSON.parse(raw.data);
  if (m.type === "snapshot") { resuming = false; onSnapshot(m); }
  else if (m.type === "event") onEvent(m);
  else if (m.type === "replay") {
    resuming = false;
    for (const e of m.events) if (e.seq === state.seq + 1) applyEvent(e);
    drainEarly();
    render();
  } else if (m.type === "ack") {
    const r = m.result || {};
    if (m.action === "vote") state.myVotes.add(r.question_id);
    if (m.action === "unvote") state.myVotes.delete(r.question_id);
    if (m.action === "answer_poll") state.myAnswers[String(r.poll_id)] = r.options;
    if (m.action === "post_question") $("ask-text").value = "";
    if (m.action === "announce") $("announce-text").value = "";
    if (m.action === "caption") $("caption-text").value = "";
    if (m.action === "open_poll") { $("poll-question").value = ""; $("poll-options").value = ""; }
    $("live-error").hidden = true;
    render();
  } else if (m.type === "error") {
    setLine("live-error", m.message);
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${scheme}://${location.host}${root.dataset.wsPath}`);
  ws.addEventListener("open", () => {
    retry = 500;
    $("live-connection").textContent = state.status === "ended" ? T.ended_note : T.connected;
  });
  ws.addEventListener("message", onMessage);
  ws.addEventListener("close", () => {
    $("live-connection").textContent = T.reconnecting;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 15000);
  });
}

function wire(formId, handler) {
  const form = $(formId);
  if (form) form.addEventListener("submit", (e) => { e.preventDefault(); handler(); });
}

// Asks before a step that cannot be undone; the answer comes from the page's own dialog.
function confirmThen(text, then) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = text;
  dialog.returnValue = "";
  dialog.addEventListener("close", () => { if (dialog.returnValue === "ok") then(); }, { once: true });
  dialog.showModal();
}

if (view === "participant") {
  wire("ask-form", () => act("post_question", { text: $("ask-text").value, clause_key: $("ask-clause").value }));
  wire("hand-form", () => act("raise_hand", { name: $("hand-name").value }));
  $("lower-hand").addEventListener("click", () => act("lower_hand"));
  // The order is kept in the address (?sort=), so a reload or a shared link keeps it.
  for (const link of document.querySelectorAll(".question-sort a")) {
    link.addEventListener("click", (e) => {
      e.preventDefault();
      state.sort = link.dataset.sort;
      const url = new URL(location.href);
      url.searchParams.set("sort", state.sort);
      history.replaceState(null, "", url);
      render();
    });
  }
}
if (view === "console") {
  $("fac-start").addEventListener("click", () => confirmThen(T.start_confirm, () => act("start")));
  $("fac-end").addEventListener("click", () => confirmThen(T.end_confirm, () => act("end")));
  $("fac-next").addEventListener("click", () => act("call_next"));
  wire("announce-form", () => act("announce", { text: $("announce-text").value }));
  wire("caption-form", () => act("caption", { text: $("caption-text").value }));
  wire("poll-form", () => act("open_poll", {
    question: $("poll-question").value,
    options: $("poll-options").value.split("\n").map((s) => s.trim()).filter(Boolean),
    multiple: $("poll-multiple").checked,
  }));
}
// A dropped *last* message leaves no gap to notice: check in with the log now and then.
setInterval(() => { if (!resuming) send({ type: "resume", last_seq: state.seq }); }, 15000);
connect();
