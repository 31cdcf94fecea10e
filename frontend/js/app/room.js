/**
 * A class following its teacher (docs/classroom.md). The teacher's page starts a room and
 * publishes what it shows at every step (core/room.js's roomShown), one request at a time,
 * the newest state winning; while a question is open it reads the class's answers. A
 * student's page follows the room's server-sent events: it runs the teacher's program,
 * goes to the teacher's step and conceals what the class has not seen revealed; it may
 * wander (step on its own) and catch up; it answers the open question; it cannot drive.
 * The teacher's secret stays in this tab (sessionStorage), so a reload keeps the class.
 */

import { variableRows } from "../core/embedded.js";
import {
  answerKey,
  classAnswers,
  givenValue,
  openQuestion,
  pickedCallOf,
  programKey,
  roomChanged,
  roomShown,
  runKey,
  seenAfter,
  tallyQuery,
} from "../core/room.js";
import { requestVariables } from "../core/variables.js";
import {
  classAnswers as fetchTally,
  createRoom,
  endRoom,
  joinRoom,
  publishState,
  roomEvents,
  roomState,
  sendAnswer,
} from "../net/rooms.js";

/** Where the teacher's page keeps its room for a reload of the tab. */
const KEPT = "chainrule.room";
/** How often the teacher's page reads the class's answers while a question is open. */
const TALLY_MS = 1500;
/** A student's stream refused without a Retry-After is tried again after this long. */
const RETRY_MS = 3000;
/** A run's errors that say "not now" (the server busy, or out of reach), not "never". */
const BUSY = new Set(["overloaded", "rate_limited", "network_error", "worker_crashed"]);
/** How many times a student's page runs the teacher's program again after such an error. */
const RUN_TRIES = 6;

/**
 * @param {{store: ReturnType<typeof import("../core/state.js").createStore>,
 *   runner: ReturnType<typeof import("./run.js").createRunner>,
 *   editor: {setValue: (source: string) => void},
 *   variables: {setRows: (rows: import("../core/state.js").VariableRow[]) => void},
 *   classroom: ReturnType<typeof import("./classroom.js").createClassroom>,
 *   goTo: (p: number, o?: {animate?: boolean}) => void, position: () => number,
 *   lockPage: (locked: boolean) => void}} parts  lockPage: the program read-only and Run
 *   out of use (a student's page), or back
 */
export function createRoomControl({ store, runner, editor, variables, classroom, goTo, position, lockPage }) {
  /** This page's own part of each question id: a reloaded teacher's questions are new ones. */
  const page = Math.random().toString(36).slice(2, 8);
  let secret = null;
  let publishing = false;
  let lastSent = "";
  let tallyTimer = null;
  let tallyRound = 0;
  let publishTimer = null;
  let events = null;
  let retryTimer = null;
  let student = null;
  /** The teacher's run a student's page runs or last ran (core/room.js's runKey)... */
  let loaded = null;
  /** ...and the one whose graph it shows: a state that comes while the next one is traced
   * waits for it, never applied to the graph before. */
  let ready = null;
  /** A reloaded teacher's page asks its first run's questions under the ids the class knew. */
  const aliases = new Map();
  /** The room's state a reloaded teacher's page goes back to, once its program is traced. */
  let resumed = null;
  let lastSeq = 0;
  let tries = 0;
  let runTimer = null;

  const room = () => store.state.room;
  const setRoom = (patch) => room() && store.update({ room: { ...room(), ...patch } });

  // --- the teacher's page --------------------------------------------------------------

  /** Start a class: a new room, its link, and the page's state published from now on. */
  async function start() {
    const r = room();
    // A class that ended, or could not start, makes way for a new one.
    if (r && (r.role !== "teacher" || (r.status !== "ended" && r.code))) return;
    secret = null; // the last class's, if any: nothing is published until the new one exists
    resumed = null;
    lastSent = "";
    clearTimeout(publishTimer);
    store.update({ room: newRoom("teacher", "", "joining") });
    try {
      const made = await createRoom();
      secret = made.teacher_secret;
      remember(KEPT, { code: made.code, secret });
      teach(made.code);
    } catch (err) {
      setRoom({ status: "error", message: `Could not start a class: ${err.message}` });
    }
  }

  /** Teach in room `code` (made now, or kept by this tab). */
  function teach(code) {
    lastSent = "";
    const link = new URL(`r/${code}`, document.baseURI).href;
    store.update({ room: { ...newRoom("teacher", code, "live"), link } });
    publish();
  }

  /**
   * A teacher's page reloaded: its room again, if the tab kept one that still lives, and
   * what the class last saw (predict mode, the step, what was revealed), once the page's
   * program is traced: nothing the class saw revealed is asked again, nothing it did not
   * see is shown.
   */
  async function resume() {
    const kept = readKept();
    if (!kept) return;
    try {
      const { state } = await roomState(kept.code);
      secret = kept.secret;
      resumed = state && { ...state, code: kept.code };
      teach(kept.code);
      if (ran(store.state)) resumeClass();
    } catch (err) {
      if (err.status === 404) sessionStorage.removeItem(KEPT);
    }
  }

  /** Go back to the state the class last saw, if it shows this page's program. */
  function resumeClass() {
    const last = resumed;
    resumed = null;
    if (!last || room()?.code !== last.code) return publish(); // none, or a class ended
    const training = store.state.trace?.training;
    if (pickedCallOf(last, current()) && training?.shown_call === last.call) {
      store.update({ call: last.call }); // the call this graph shows: nothing to trace
    }
    const here = current();
    if (programKey(last) === programKey(here)) {
      // The same run as the class's: its question ids, its answers counted, its reveals.
      if (last.run) aliases.set(store.state.run, last.run);
      const seen = seenAfter({ run: last.run, sent: {}, revealed: [], reached: 0 }, last);
      store.update({ predict: last.predict, answers: classAnswers(store.state, last, seen) });
      goTo(last.step);
    } else if (pickedCallOf(last, here) && !last.traced && last.call < (training?.calls ?? 0)) {
      // The class's program at another call of backward() (a link keeps no call picked):
      // trace the class's call (once: a call the teacher picks meanwhile wins), then come
      // back here.
      resumed = { ...last, traced: true };
      runner.runCall(last.call);
      return;
    } else if (last.predict) {
      // Another program: predict mode all the same, so nothing the class has not seen
      // revealed is shown to it.
      classroom.setPredict(true);
    }
    publish();
  }

  /** Publish the page's state unless it is what was sent last; one request at a time. */
  async function publish() {
    const r = room();
    const { status } = store.state;
    if (r?.role !== "teacher" || !r.code || r.status === "ended" || !secret || publishing) return;
    if (resumed) return;
    // A run that failed keeps the class on the last program it saw.
    if (status === "running" || status === "idle" || status === "error") return;
    const state = current();
    const body = JSON.stringify(state);
    if (body === lastSent) return;
    publishing = true;
    try {
      await publishState(r.code, secret, state);
      lastSent = body;
      if (room()?.status !== "live") setRoom({ status: "live", message: null });
    } catch (err) {
      if (room()?.code !== r.code) return; // a class ended meanwhile: this was its state
      if (err.status === 404 || err.status === 403) {
        sessionStorage.removeItem(KEPT);
        setRoom({ status: "ended", message: "The class has ended (it expired): start a new one." });
      } else {
        setRoom({ status: "error", message: `Students are not seeing this step: ${err.message}` });
        clearTimeout(publishTimer);
        publishTimer = setTimeout(publish, (err.retryAfter ?? RETRY_MS / 1000) * 1000);
      }
    } finally {
      publishing = false;
    }
    if (room()?.status === "live" && JSON.stringify(current()) !== lastSent) publish();
  }

  /** What the teacher's page would publish now. */
  function current() {
    return roomShown(store.state, store.state.timeline ? position() : 0, prefix(), inputs());
  }

  /** A run's part of each question id: this page's, and the run's number. */
  const prefix = (state = store.state) => aliases.get(state.run) ?? `${page}.${state.run}`;

  /** The editor's inputs as a request sends them (an error in a row: none). */
  function inputs() {
    try {
      return requestVariables(store.state.variables);
    } catch {
      return {};
    }
  }

  /** Read the class's answers to the open question now, then every TALLY_MS while open. */
  async function readTally() {
    clearTimeout(tallyTimer);
    const round = ++tallyRound; // a newer read supersedes this one (and its next)
    const r = room();
    const open = r?.role === "teacher" && store.state.timeline && openQuestion(store.state, position(), prefix());
    if (!open || r.status === "ended" || !secret) {
      if (r?.tally) setRoom({ tally: null });
      return;
    }
    try {
      const tally = await fetchTally(r.code, secret, tallyQuery(open));
      if (round !== tallyRound) return;
      if (room()?.code === r.code && tally.question === open.request.id) setRoom({ tally });
    } catch {
      // the next read may work: the panel keeps the last counts
    }
    if (round === tallyRound && !open.revealed) tallyTimer = setTimeout(readTally, TALLY_MS);
  }

  /** The teacher reveals the open question's answer (after the class has had its say). */
  function reveal() {
    const open = openQuestion(store.state, position(), prefix());
    if (!open || open.revealed) return;
    if (open.key === "question") classroom.revealQuestion();
    else classroom.revealPrediction();
  }

  /** End the class for everyone. */
  async function end() {
    const r = room();
    if (!r) return;
    clearTimeout(tallyTimer);
    clearTimeout(publishTimer);
    sessionStorage.removeItem(KEPT);
    resumed = null; // a reloaded page's class: the next class starts from this page
    if (r.role === "teacher" && secret && r.status !== "ended") {
      try {
        await endRoom(r.code, secret);
      } catch {
        // it ends by itself when it expires
      }
    }
    secret = null;
    store.update({ room: null });
  }

  // --- a student's page ------------------------------------------------------------------

  /** Follow room `code`: the page shows the teacher's program and step from now on. */
  function join(code) {
    loaded = null;
    ready = null;
    lastSeq = 0;
    student = readToken(code);
    store.update({ room: newRoom("student", code, "joining"), compare: null });
    lockPage(true);
    listen();
  }

  function listen() {
    clearTimeout(retryTimer);
    events?.close();
    const r = room();
    if (r?.role !== "student") return;
    events = roomEvents(r.code);
    events.addEventListener("state", (event) => onState(JSON.parse(event.data)));
    events.addEventListener("end", () => {
      events.close();
      setRoom({ status: "ended", message: "The teacher ended the class." });
    });
    events.addEventListener("error", () => {
      // A dropped stream reconnects by itself; a refused one (404, 429, 503) does not.
      if (events.readyState === EventSource.CLOSED) whyClosed(r.code);
      else setRoom({ status: "error", message: "Reconnecting to the class…" });
    });
  }

  /** The stream was refused: the room is gone, or busy (try again when it says). */
  async function whyClosed(code) {
    try {
      await roomState(code);
      // The room lives, but its stream was refused (the server busy): again in a while.
      setRoom({ status: "error", message: "The class is busy: trying again…" });
      retryTimer = setTimeout(listen, RETRY_MS * (0.5 + Math.random()));
    } catch (err) {
      if (room()?.code !== code) return;
      if (err.status === 404) {
        setRoom({
          status: "ended",
          message: `There is no class ${code}: it has ended, or the code is mistyped.`,
        });
        return;
      }
      setRoom({ status: "error", message: `${err.message}: trying again…` });
      retryTimer = setTimeout(listen, (err.retryAfter ?? RETRY_MS / 1000) * 1000);
    }
  }

  /** A state from the teacher (older ones, from a reconnect, are dropped). */
  function onState({ seq, state }) {
    const r = room();
    if (r?.role !== "student") return;
    if (seq !== 0 && seq <= lastSeq) return setRoom({ status: "live", message: null });
    lastSeq = seq;
    const patch = { status: "live", message: state ? null : "Waiting for the teacher's first step…" };
    if (!state) return setRoom(patch);
    const open = (s) => (s?.question && !s.revealed ? s.question.id : null);
    const sending = open(state) !== open(r.shown) ? "idle" : r.sending;
    setRoom({ ...patch, ...seenAfter(r, state), shown: state, sending });
    // A wandering student's page keeps its own step, and its program, until Catch up.
    if (r.following) follow();
    else settle(false);
  }

  /** Show the teacher's state: run its program if it is a new run, else go to its step. */
  function follow() {
    const shown = room()?.shown;
    if (!shown) return;
    const key = runKey(shown);
    if (key === loaded) {
      settle(true);
      return;
    }
    loaded = key;
    const rows = variableRows(shown.variables);
    editor.setValue(shown.source);
    variables.setRows(rows);
    // The lesson and predict mode change with the new graph (settle): a lesson's question
    // over the graph before would conceal the wrong numbers. Predict mode may turn on now.
    store.update({
      source: shown.source,
      variables: rows,
      predict: store.state.predict || shown.predict,
      call: shown.call ?? null,
      selected: null,
    });
    runner.restoreAfterRun({ step: 0, node: null });
    runner.run();
  }

  /**
   * The class's revealed answers on this page, and (following) the teacher's step: a step
   * forward plays its motion, a jump lands at rest.
   */
  function settle(move) {
    const r = room();
    const { timeline } = store.state;
    if (!r?.shown || !timeline || runKey(r.shown) !== ready) return;
    const { lesson, predict, question } = r.shown;
    const asOpen = { ...store.state, lesson };
    store.update({
      lesson,
      lessonsOpen: lesson !== store.state.lesson ? lesson !== null : store.state.lessonsOpen,
      predict,
      answers: classAnswers(asOpen, r.shown, r),
      // A gradient check shown would give the class's questions away.
      ...(predict || question ? { check: null, checkStatus: "idle" } : {}),
    });
    if (!move || !r.following) return;
    const here = position();
    if (r.shown.step !== here) goTo(r.shown.step, { animate: r.shown.step === here + 1 });
  }

  /**
   * The teacher's program could not be traced for now (the server busy with the class's
   * other pages, or out of reach): run it again after a while, a little longer each time,
   * each student's page at its own moment.
   */
  function runAgain() {
    const key = loaded;
    tries += 1;
    if (tries > RUN_TRIES) return; // the error stays shown; Catch up tries again
    const wait = Math.min(2 ** tries, 30) * (0.5 + Math.random()) * 1000;
    clearTimeout(runTimer);
    runTimer = setTimeout(() => {
      if (room()?.role !== "student" || loaded !== key) return;
      loaded = null;
      follow();
    }, wait);
  }

  /** Step on one's own: the teacher's steps are kept, not shown. */
  function wander() {
    if (room()?.role === "student" && room().following) setRoom({ following: false });
  }

  /** Back to the teacher's step (and program; run again if it could not be traced). */
  function catchUp() {
    if (room()?.role !== "student") return;
    setRoom({ following: true });
    if (store.state.status === "error") {
      tries = 0;
      loaded = null;
    }
    follow();
  }

  /**
   * Answer the open question (`typed` as typed, or the option chosen); `again`: sent once
   * more after the server asked to wait.
   */
  async function answer(typed, again = false) {
    const r = room();
    const question = r?.shown?.question;
    if (r?.role !== "student" || !question || r.shown.revealed) return;
    if (r.sending === "sending" && !again) return;
    const value = givenValue(question, typed);
    if (value === null) {
      setRoom({ sending: "refused", message: question.kind === "choice" ? "Pick an option." : "Type a number." });
      return;
    }
    setRoom({ sending: "sending", message: null });
    try {
      if (!student) {
        student = await joinRoom(r.code);
        remember(`${KEPT}.${r.code}`, student);
      }
      await sendAnswer(r.code, { student, question: question.id, value });
      const key = answerKey(question.id);
      const now = room();
      const sameRun = now?.run === r.run;
      if (sameRun && (now.shown?.question?.id === question.id || now.revealed.includes(key))) {
        setRoom({ sending: "sent", sent: { ...now.sent, [key]: value } });
        settle(false);
      }
    } catch (err) {
      if (err.status === 429 && err.retryAfter) {
        // A class behind one address answers at once past its limit: each page waits its turn.
        const wait = err.retryAfter * (1 + Math.random() / 2);
        setRoom({ message: `The class is answering at once: sending again in ${Math.ceil(wait)} s…` });
        setTimeout(() => {
          if (room()?.shown?.question?.id === question.id) answer(typed, true);
        }, wait * 1000);
        return;
      }
      setRoom({ sending: "refused", message: `Not sent: ${err.message}.` });
    }
  }

  /** The lesson panel's answer, sent to the room while the class's question is the lesson's. */
  function answerLesson(given) {
    const question = room()?.shown?.question;
    if (question && answerKey(question.id) === "question") answer(given);
  }

  /** Leave the class: the page is the student's own again. */
  function leave() {
    events?.close();
    events = null;
    clearTimeout(retryTimer);
    clearTimeout(runTimer);
    loaded = null;
    ready = null;
    store.update({ room: null });
    lockPage(false);
  }

  // --- the page's state, as it changes ----------------------------------------------------

  store.subscribe((state, previous) => {
    const r = state.room;
    if (!roomChanged(state, previous)) return; // the pointer moved, say: nothing to send
    if (r?.role === "teacher") {
      // A reloaded page's program traced (or failed): back to where the class is. Each
      // after this update has reached every subscriber: the store is not re-entrant.
      if (resumed && ran(state) && !ran(previous)) queueMicrotask(resumeClass);
      queueMicrotask(publish);
      const asked = (s) => s.timeline && s.room && openQuestion(s, position(s), prefix(s));
      const before = asked(previous);
      const now = asked(state);
      const was = previous.room;
      const moved = now?.request.id !== before?.request.id || now?.revealed !== before?.revealed;
      if (moved || was?.code !== r.code || was?.status !== r.status) queueMicrotask(readTally);
    } else if (r?.role === "student") {
      if (state.timeline !== previous.timeline && state.timeline) {
        tries = 0;
        ready = loaded;
        if (r.showing !== ready) queueMicrotask(() => setRoom({ showing: ready }));
        queueMicrotask(() => settle(true));
      }
      const failed = state.status === "error" && previous.status === "running";
      if (failed && BUSY.has(state.error?.code)) runAgain();
    }
  });

  return { start, resume, end, join, leave, wander, catchUp, answer, answerLesson, reveal, prefix };
}

/** Has the page's program been traced, or failed to be? */
function ran(state) {
  return state.status === "done" || state.status === "error";
}

/** @returns {import("../core/state.js").Room} */
function newRoom(role, code, status) {
  return {
    role,
    code,
    status,
    message: null,
    link: "",
    shown: null,
    following: true,
    run: null,
    sent: {},
    revealed: [],
    reached: 0,
    showing: null,
    sending: "idle",
    tally: null,
  };
}

/**
 * What this tab keeps for a reload (sessionStorage): the teacher's room and secret under
 * KEPT, a student's anonymous token for room CODE under KEPT.CODE (one answer per question).
 * A private window without storage keeps nothing: a reload loses the class, a rejoin makes
 * a new token.
 */
function remember(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // nothing kept
  }
}

function recall(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

function readKept() {
  const kept = recall(KEPT);
  return typeof kept?.code === "string" && typeof kept?.secret === "string" ? kept : null;
}

function readToken(code) {
  const token = recall(`${KEPT}.${code}`);
  return typeof token === "string" ? token : null;
}
