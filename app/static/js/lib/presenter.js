/* The presenter's keys: what a presentation clicker sends (PageDown/PageUp, the arrows,
 * B or . for a blank screen) and the facilitator's own (Space to pause and resume, + and −
 * for minutes, Q for the big QR code, H to hide the results until revealed and to reveal
 * them, F for fullscreen).
 *
 * The facilitator's page acts on them. The projector's page, in the same browser (a
 * laptop that shows the projector on its own screen, the clicker's keys going to the
 * window in front), passes them on over a BroadcastChannel to the facilitator's page,
 * which acts for it: the projector itself may not move the day. Only one facilitator
 * page acts on passed keys (it holds a Web Lock), so two open tabs never step twice. */

var COMMANDS = {
  PageDown: "next", ArrowRight: "next", ArrowDown: "next",
  PageUp: "back", ArrowLeft: "back", ArrowUp: "back",
  b: "blank", B: "blank", ".": "blank",
  q: "qr", Q: "qr",
  h: "results", H: "results",
  " ": "pause",
  "+": "more", "=": "more",
  "-": "less", "−": "less",
  f: "fullscreen", F: "fullscreen",
}; // prettier-ignore

/* Where the key belongs to the control in focus: typing, choosing, ticking. */
function typing(target) {
  if (!target || !target.closest) return false;
  if (target.closest("textarea, select, [contenteditable=''], [contenteditable='true']")) return true;
  var input = target.closest("input");
  return Boolean(input) && ["button", "submit", "reset", "checkbox", "radio"].indexOf(input.type) < 0;
}

/* The command of a key press, or null: a key with Ctrl, Alt or Cmd, or one typed into a
 * field. Space and the arrows are left to a control that uses them (a checkbox, a radio,
 * a link or a button outside `bar`, the presenter's own controls). */
export function presenterKey(event, bar) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  var command = COMMANDS[event.key] || null;
  if (!command || typing(event.target)) return null;
  var target = event.target;
  var control = target && target.closest ? target.closest("button, a, input, [role=button], summary") : null;
  var own = control && bar && bar.contains(control);
  if (command === "pause" && control && !own) return null;
  if ((event.key.indexOf("Arrow") === 0) && target && target.closest && target.closest("input")) return null;
  return command;
}

var COMMAND_NAMES = ["next", "back", "blank", "qr", "results", "pause", "more", "less"];

function channel(code) {
  return typeof BroadcastChannel === "function" ? new BroadcastChannel("samling-presenter-" + code) : null;
}

/* The projector's side: pass a command on (nothing happens without a facilitator page). */
export function relayKeys(code) {
  var line = channel(code);
  return {
    send: function (command) {
      if (line && COMMAND_NAMES.indexOf(command) >= 0) line.postMessage({ command: command });
    },
  };
}

/* The facilitator's side: `act(command)` for each command passed on, in one page only. */
export function takeRelayedKeys(code, act) {
  var line = channel(code);
  if (!line) return;
  var take = function () {
    line.onmessage = function (event) {
      var command = event.data && event.data.command;
      if (COMMAND_NAMES.indexOf(command) >= 0) act(command);
    };
    return new Promise(function () { /* held while this page is open */ });
  };
  if (navigator.locks && navigator.locks.request) navigator.locks.request("samling-presenter-" + code, take);
  else take();
}

/* A toggle as the facilitator last asked for it, until the room has answered her latest
 * request: a clicker's second press (B, B) comes before the room has told her page about
 * the first, and toggles from what the first asked for, not from the state the page still
 * shows (which would ask for the blank screen twice). `current(known)`: the value to
 * toggle from, `known` the room's; `ask(value, send)`: send(value) and return its promise,
 * remembering `value` until it, the latest, is answered (acknowledged or refused). */
export function askedToggle() {
  var asked = null; // { value } while the latest request waits for its answer
  var latest = 0;
  return {
    current: function (known) {
      return asked ? asked.value : known;
    },
    ask: function (value, send) {
      var mine = ++latest;
      asked = { value: value };
      var forget = function () {
        if (latest === mine) asked = null;
      };
      return Promise.resolve(send(value)).then(
        function (answer) { forget(); return answer; },
        function (error) { forget(); throw error; }
      );
    },
  };
}
