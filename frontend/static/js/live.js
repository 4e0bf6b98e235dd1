// Live town hall client: no framework. The server-rendered board works without this file;
// with it, the board follows the session over a WebSocket.
// Delivery: every event has a seq. On a gap (seq jumps) or reconnect we send
// {type: "resume", last_seq} and apply the stored events we missed. Events carry absolute
// state, so applying one twice is harmless.

const root = document.getElementById("town-hall");
const T = JSON.parse(document.getElementById("live-strings").textContent);
const isFacilitator = root.dataset.facilitator === "1";
const $ = (id) => document.getElementById(id);

const state = { seq: 0, questions: new Map(), polls: new Map(), myVotes: new Set(),
  myAnswers: {}, speakers: { queue: [], current: null }, status: "scheduled" };
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

function render() {
  root.dataset.seq = state.seq;
  $("live-state").textContent = T[state.status] || state.status;
  $("live-state").dataset.state = state.status;
  const list = $("live-questions");
  const pendingBox = $("live-pending");
  const pending = pendingBox.querySelector("ol");
  list.replaceChildren();
  pending.replaceChildren();
  const all = [...state.questions.values()];
  const shown = all.filter((q) => q.status === "approved" || q.status === "answered")
    .sort((a, b) => b.votes - a.votes || a.id - b.id);
  for (const q of shown) {
    const li = el("li", null, { "data-question-id": q.id, "data-status": q.status });
    li.append(el("span", q.text, { class: "q-text", dir: "auto" }), " ");
    if (q.clause_key) li.append(el("span", `(${q.clause_key}) `, { class: "q-clause" }));
    li.append(el("span", q.votes, { class: "q-votes" }), " ",
      el("span", q.votes === 1 ? T.vote_one : T.votes, { class: "q-votes-word" }), " ");
    if (q.status === "answered") {
      li.append(el("strong", T.answered));
      if (q.answer) li.append(": ", el("span", q.answer, { class: "q-answer", dir: "auto" }));
    } else if (state.status === "live") {
      const voted = state.myVotes.has(q.id);
      li.append(button(voted ? T.unvote : T.vote, () => act(voted ? "unvote" : "vote", { question_id: q.id })));
      if (isFacilitator) {
        li.append(button(T.answer, () => act("answered", { question_id: q.id, answer: prompt(T.answer_prompt) || "" })));
      }
    }
    list.append(li);
  }
  if (!shown.length) list.append(el("li", T.none, { class: "empty" }));
  const waiting = all.filter((q) => q.status === "pending" || (q.status === "rejected" && q.text));
  for (const q of waiting) {
    const li = el("li", q.text, { "data-question-id": q.id, "data-status": q.status, dir: "auto" });
    li.append(` (${q.status === "pending" ? T.pending : T.rejected}${q.reject_reason ? ": " + q.reject_reason : ""}) `);
    if (isFacilitator && q.status === "pending") {
      li.append(button(T.approve, () => act("approve", { question_id: q.id })));
      li.append(button(T.reject, () => act("reject", { question_id: q.id, reason: prompt(T.reason) || "off_topic" })));
    }
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
    for (const o of p.options) {
      const li = el("li");
      if (p.status === "open" && !answered && state.status === "live") {
        const id = `poll-${p.id}-o-${o.id}`;
        const input = el("input", null, { type: p.kind === "multiple" ? "checkbox" : "radio", name: `poll-${p.id}`, value: o.id, id });
        li.append(input, el("label", o.label, { for: id, dir: "auto" }));
      } else {
        li.append(o.label);
      }
      li.append(": ", el("span", o.votes, { class: "o-votes" }));
      ul.append(li);
    }
    form.append(ul);
    if (p.status === "open" && !answered && state.status === "live") {
      form.append(el("button", T.submit, { type: "submit" }));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const ids = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
        act("answer_poll", { poll_id: p.id, option_ids: ids });
      });
    }
    if (isFacilitator && p.status === "open") form.append(button(T.close, () => act("close_poll", { poll_id: p.id })));
    box.append(form);
    polls.append(box);
  }

  $("live-current-speaker").textContent = state.speakers.current ? state.speakers.current.name : "—";
  $("live-speakers").replaceChildren(...state.speakers.queue.map((s) => el("li", s.name, { dir: "auto" })));
  const live = state.status === "live";
  $("ask-form").hidden = !live;
  $("hand-form").hidden = !live;
  if (isFacilitator) $("facilitator-panel").hidden = state.status === "ended";
}

function setLine(id, text) {
  $(id).textContent = text;
  $(id).hidden = !text;
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
      $("live-presence").textContent = p.presence;
      break;
    case "poll": state.polls.set(p.poll.id, p.poll); break;
    case "speakers": state.speakers = p; break;
    case "announcement": setLine("live-announcement", p.text); break;
    case "caption": setLine("live-caption", p.text); break;
    case "state": state.status = p.state; break;
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
  $("live-presence").textContent = s.presence;
  setLine("live-announcement", s.announcement);
  setLine("live-caption", s.caption);
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
    $("live-error").hidden = true;
    render();
  } else if (m.type === "error") {
    setLine("live-error", m.message);
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${scheme}://${location.host}${root.dataset.wsPath}`);
  ws.addEventListener("open", () => { retry = 500; $("live-connection").textContent = T.connected; });
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

wire("ask-form", () => act("post_question", { text: $("ask-text").value, clause_key: $("ask-clause").value }));
wire("hand-form", () => act("raise_hand", { name: $("hand-name").value }));
$("lower-hand").addEventListener("click", () => act("lower_hand"));
if (isFacilitator) {
  $("fac-start").addEventListener("click", () => act("start"));
  $("fac-end").addEventListener("click", () => { if (window.confirm(T.end_confirm)) act("end"); });
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
