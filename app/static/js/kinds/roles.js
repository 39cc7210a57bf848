/* Roles by rule: the private question(s) and "Du er …" on the phone, the outcome per
 * group on the projector, and assign / redraw / swap / give / next round for the
 * facilitator. Data comes from app/core/kinds/roles.py (mine() and board()).
 *
 * No inline script or style, text through textContent only. Hair swatches are colored
 * by the classes roles-swatch-1 … roles-swatch-5 of the page's stylesheet; each also
 * carries its name ("Hår 1 av 5: lysest"), so it is usable without colour.
 */
import { h, render } from "../lib/dom.js";
import { groupName, registerKind } from "../lib/kinds.js";
import { sendFrom } from "../lib/sending.js";

var HAIR_LEVELS = 5;

function statusLine() {
  return h("p", { className: "roles-status", role: "status", "aria-live": "polite", keep: true });
}

/* Send an action; the status line says "not sent yet" while it waits, and why it was
 * refused. */
var send = sendFrom(".roles-status");

function roleName(api, role) {
  return api.localize(role && role.name ? role.name : role);
}

function ruleCaption(api, role) {
  var caption = api.t("roles.rule_" + role.rule, { value: role.value === null ? "" : formatNumber(role.value) });
  return role.of_remaining && role.rule !== "choice" && role.rule !== "random"
    ? caption + " " + api.t("roles.of_remaining")
    : caption;
}

function formatNumber(value) {
  return Number.isInteger(value) ? String(value) : String(value).replace(".", ",");
}

// --- phone -----------------------------------------------------------------------------

/* "Du er <b>Ordstyrer og tidtaker</b>" (and "<b>A</b> og <b>B</b>" for two roles). */
function youAre(api, roles) {
  var line = h("h2", { id: "roles-mine-title", className: "roles-you-are" }, [api.t("roles.you_are") + " "]);
  roles.forEach(function (role, i) {
    if (i > 0) {
      line.appendChild(document.createTextNode(i === roles.length - 1 ? " " + api.t("roles.and") + " " : ", "));
    }
    line.appendChild(h("b", { text: api.localize(role.name) }));
  });
  return line;
}

function myRoles(api, data) {
  var box = h("section", { className: "roles-mine", "aria-labelledby": "roles-mine-title" });
  if (data.rotate && data.rounds) {
    box.appendChild(h("p", { className: "roles-round", text: api.t("roles.round", { round: data.round, rounds: data.rounds }) }));
  }
  if (!data.roles.length) {
    box.appendChild(h("h2", { id: "roles-mine-title", text: api.t("roles.no_role") }));
    return box;
  }
  box.appendChild(youAre(api, data.roles));
  // What the person's role does in this phase (Troika: «Klient: snu ryggen til og lytt»).
  (data.cues || []).forEach(function (cue) {
    box.appendChild(h("p", { className: "roles-cue", role: "status", text: api.localize(cue) }));
  });
  if ((data.missed || []).length) {
    var names = data.missed.map(function (role) { return api.localize(role); }).join(", ");
    box.appendChild(h("p", { className: "roles-missed", text: api.t("roles.you_miss", { roles: names }) }));
  }
  if (data.roles.length === 2) box.appendChild(h("p", { className: "roles-double", text: api.t("roles.two_roles") }));
  if (data.roles.length > 2) {
    box.appendChild(h("p", { className: "roles-double", text: api.t("roles.many_roles", { count: data.roles.length }) }));
  }
  data.roles.forEach(function (role) {
    var description = api.localize(role.description);
    if (!description) return;
    box.appendChild(
      h("div", { className: "roles-description" }, [
        data.roles.length > 1 ? h("h3", { text: api.localize(role.name) }) : null,
        h("p", { text: description }),
      ])
    );
  });
  return box;
}

function groupRoles(api, data) {
  if (!data.holders.length) return null;
  var list = h("ul", { className: "roles-holders" });
  data.holders.forEach(function (holder) {
    list.appendChild(
      h("li", {}, [
        h("span", { className: "roles-holder-role", text: api.localize(holder.role) + ": " }),
        h("span", { className: "roles-holder-name", text: holder.name || api.t("roles.not_chosen") }),
        holder.by_lot ? h("span", { className: "roles-by-lot", text: " " + api.t("roles.by_lot") }) : null,
      ])
    );
  });
  return h("section", { className: "roles-group", "aria-labelledby": "roles-group-title" }, [
    h("h3", { id: "roles-group-title", text: api.t("roles.group_roles") }),
    list,
  ]);
}

function choices(el, api, data) {
  if (!data.choose.length) return null;
  var box = h("section", { className: "roles-choose" });
  data.choose.forEach(function (choice) {
    var name = api.localize(choice.name);
    var group = h("div", { role: "group", "aria-label": api.t("roles.choose", { role: name }), className: "roles-choose-buttons" });
    choice.candidates.forEach(function (person) {
      group.appendChild(
        h("button", {
          type: "button",
          className: "button roles-candidate",
          "data-key": "choose-" + choice.index + "-" + person.id,
          "aria-pressed": String(choice.holder === person.id),
          disabled: !person.eligible,
          text: person.name,
          on: {
            click: function () {
              send(el, api, { type: "roles_choose", role: choice.index, participant: person.id });
            },
          },
        })
      );
    });
    box.appendChild(h("h3", { text: api.t("roles.choose", { role: name }) }));
    box.appendChild(group);
  });
  return box;
}

function ageForm(el, api, reply) {
  var saved = reply && reply.age !== null && reply.age !== undefined ? String(reply.age) : "";
  var input;
  var submit = function (event) {
    event.preventDefault();
    var age = Number(input.value);
    if (!Number.isInteger(age) || age < 1 || age > 120) {
      input.setAttribute("aria-invalid", "true");
      el.querySelector(".roles-age-error").textContent = api.t("roles.age_invalid");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    el.querySelector(".roles-age-error").textContent = "";
    send(el, api, { type: "roles_answer", age: age });
  };
  return h("form", { className: "roles-age", novalidate: true, on: { submit: submit } }, [
    h("label", { for: "roles-age", text: api.t("roles.question_age") }),
    h("input", {
      id: "roles-age", type: "number", inputmode: "numeric", min: "1", max: "120", step: "1",
      autocomplete: "off", required: true, className: "roles-age-input", value: saved,
      "aria-describedby": "roles-age-error", ref: function (node) { input = node; },
    }),
    h("button", { type: "submit", className: "button", "data-key": "age-save", text: api.t("roles.save") }),
    h("p", { id: "roles-age-error", className: "form-error roles-age-error", keep: true }),
  ]);
}

function hairForm(el, api, reply) {
  var chosen = reply && reply.hair ? reply.hair : null;
  var fieldset = h("fieldset", { className: "roles-hair" }, [h("legend", { text: api.t("roles.question_hair") })]);
  for (var level = 1; level <= HAIR_LEVELS; level++) {
    (function (level) {
      var id = "roles-hair-" + level;
      var label = api.t("roles.hair_" + level);
      var radio = h("input", {
        type: "radio",
        name: "roles-hair",
        id: id,
        value: String(level),
        checked: chosen === level,
        className: "roles-swatch-input",
        on: {
          change: function () {
            send(el, api, { type: "roles_answer", hair: level });
          },
        },
      });
      fieldset.appendChild(
        h("label", { for: id, className: "roles-swatch roles-swatch-" + level }, [
          radio,
          h("span", { className: "roles-swatch-color", "aria-hidden": "true" }),
          h("span", { className: "roles-swatch-name", text: label }),
        ])
      );
    })(level);
  }
  return fieldset;
}

function questions(el, api, data) {
  var reply = data.reply;
  var box = h("section", { className: "roles-questions" }, [
    h("p", { className: "roles-private", text: api.t("roles.private_note") }),
  ]);
  if (data.asks.indexOf("age") >= 0) box.appendChild(ageForm(el, api, reply));
  if (data.asks.indexOf("hair") >= 0) box.appendChild(hairForm(el, api, reply));
  if (reply && reply.declined) {
    box.appendChild(h("p", { className: "roles-saved", text: api.t("roles.declined") }));
  } else if (data.answered) {
    box.appendChild(h("p", { className: "roles-saved", text: api.t("roles.saved") }));
  }
  if (!(reply && reply.declined)) {
    box.appendChild(
      h("button", {
        type: "button",
        className: "button roles-decline",
        "data-key": "decline",
        text: api.t("roles.decline"),
        on: {
          click: function () {
            send(el, api, { type: "roles_answer", decline: true });
          },
        },
      })
    );
  }
  return box;
}

function phone(el, data, api) {
  if (!data) return;
  render(el, function () {
    var root = h("div", { className: "roles roles-phone" });
    if (data.assigned) {
      root.appendChild(myRoles(api, data));
      [choices(el, api, data), groupRoles(api, data)].forEach(function (part) {
        if (part) root.appendChild(part);
      });
    } else {
      if (data.can_answer) root.appendChild(questions(el, api, data));
      if (data.group === null) {
        root.appendChild(h("p", { className: "roles-wait", text: api.t("roles.no_group") }));
      } else if (!data.can_answer || data.answered) {
        root.appendChild(h("p", { className: "roles-wait", text: api.t("roles.waiting") }));
      }
      var others = groupRoles(api, data);
      if (others) root.appendChild(others);
    }
    root.appendChild(statusLine());
    return root;
  }, JSON.stringify(data));
}

// --- projector -------------------------------------------------------------------------

/* The round the groups are in, when they all are in the same one (else null). */
function sharedRound(board) {
  var rounds = board.groups.map(function (g) { return g.rounds ? g.round + "/" + g.rounds : ""; });
  return board.rotate && rounds.length && rounds[0] && rounds.every(function (r) { return r === rounds[0]; }) ? board.groups[0] : null;
}

/* A group's roles; `roundShown`: the round is said once for all the groups. */
function outcome(api, board, group, roundShown) {
  var title = groupName(api, group.group);
  var card = h("div", { className: "roles-card" }, [
    h("h3", { text: title }),
  ]);
  if (board.rotate && group.rounds && !roundShown) {
    card.appendChild(h("p", { className: "roles-round", text: api.t("roles.round", { round: group.round, rounds: group.rounds }) }));
  }
  if (!group.assigned) {
    var progress = board.asks.length
      ? api.t("roles.answered", { answered: group.answered, members: group.members.length })
      : api.t("roles.not_assigned");
    card.appendChild(h("p", { className: "roles-progress", text: progress }));
    return card;
  }
  var list = h("dl", { className: "roles-outcome" });
  group.holders.forEach(function (holder) {
    list.appendChild(h("dt", { text: roleName(api, board.roles[holder.index]) }));
    list.appendChild(h("dd", {}, [
      holder.name || api.t("roles.not_chosen"),
      holder.by_lot ? h("span", { className: "roles-by-lot", text: " " + api.t("roles.by_lot") }) : null,
    ]));
  });
  if (board.extra && (group.extra || []).length) {
    list.appendChild(h("dt", { text: roleName(api, board.extra) }));
    list.appendChild(h("dd", { text: group.extra.map(function (m) { return m.name; }).join(", ") }));
  }
  card.appendChild(list);
  (group.missed || []).forEach(function (miss) {
    var roles = miss.roles.map(function (i) { return roleName(api, board.roles[i]); }).join(", ");
    card.appendChild(h("p", { className: "roles-missed", text: api.t("roles.misses", { name: miss.name, roles: roles }) }));
  });
  return card;
}

/* What each role does in this phase, for the whole room to read. */
function cueList(api, board) {
  if (!(board.cues || []).length) return null;
  var list = h("dl", { className: "roles-cues" });
  board.cues.forEach(function (cue) {
    list.appendChild(h("dt", { text: api.localize(cue.role) }));
    list.appendChild(h("dd", { text: api.localize(cue.cue) }));
  });
  return list;
}

function projector(el, data, api) {
  if (!data) return;
  render(el, function () {
    var root = h("div", { className: "roles roles-projector" });
    // The wall: the round once, then one line per group, as many groups at a time as fit.
    var round = sharedRound(data);
    var title = api.t("roles.title");
    root.appendChild(h("h2", { text: round ? title + " · " + api.t("roles.round", { round: round.round, rounds: round.rounds }) : title }));
    var cues = cueList(api, data);
    if (cues) root.appendChild(cues);
    var grid = h("div", { className: "roles-grid", "data-fit-trim": "pages" });
    data.groups.forEach(function (group) {
      grid.appendChild(outcome(api, data, group, Boolean(round)));
    });
    root.appendChild(grid);
    return root;
  }, JSON.stringify(data));
}

// --- facilitator -----------------------------------------------------------------------

/* A select; `change(value)` hears a choice, `ref(node)` is given the one on the page. */
function select(key, label, options, selected, change, ref) {
  return h("select", {
    "data-key": key, "aria-label": label, ref: ref,
    on: change ? { change: function (event) { change(event.currentTarget.value); } } : undefined,
  }, options.map(function (option) {
    return h("option", { value: option.value, text: option.text, selected: option.value === selected });
  }));
}

function facilitatorGroup(el, api, board, group) {
  var card = outcome(api, board, group);
  if (group.stale) card.appendChild(h("p", { className: "roles-stale", text: api.t("roles.stale") }));
  if (group.double) card.appendChild(h("p", { className: "roles-double", text: api.t("roles.double") }));
  if (group.assigned && board.asks.length) {
    card.appendChild(
      h("p", { className: "roles-progress", text: api.t("roles.answered", { answered: group.answered, members: group.members.length }) })
    );
  }
  var actions = h("div", { className: "roles-actions" }, [
    h("button", {
      type: "button",
      "data-key": "redraw-" + group.group,
      "aria-label": api.t("roles.redraw_group", { group: group.group }),
      text: api.t("roles.redraw"),
      on: {
        click: function () {
          send(el, api, { type: "roles_redraw", group: group.group });
        },
      },
    }),
  ]);
  card.appendChild(actions);
  if (!group.assigned) return card;

  // Give one role to someone in the group.
  var people = group.members.map(function (m) {
    return { value: m.id, text: m.name };
  });
  group.holders.forEach(function (holder) {
    var role = roleName(api, board.roles[holder.index]);
    var key = "give-" + group.group + "-" + holder.index;
    var label = api.t("roles.give_role", { role: role, group: group.group });
    var choice = select(key, label, [{ value: "", text: "—" }].concat(people), holder.holder || "", function (value) {
      if (value) send(el, api, { type: "roles_set", group: group.group, role: holder.index, participant: value });
    });
    card.appendChild(h("p", { className: "roles-give" }, [h("span", { text: label + " " }), choice]));
  });

  // Swap two roles.
  if (group.holders.length > 1) {
    var roleOptions = board.roles.map(function (role) {
      return { value: String(role.index), text: roleName(api, role) };
    });
    var first, second; // the selects on the page
    card.appendChild(
      h("p", { className: "roles-swap" }, [
        select("swap-a-" + group.group, api.t("roles.swap_first", { group: group.group }), roleOptions, "0", null, function (node) { first = node; }),
        " ⇄ ",
        select("swap-b-" + group.group, api.t("roles.swap_second", { group: group.group }), roleOptions, "1", null, function (node) { second = node; }),
        h("button", {
          type: "button",
          "data-key": "swap-" + group.group,
          "aria-label": api.t("roles.swap_group", { group: group.group }),
          text: api.t("roles.swap"),
          on: {
            click: function () {
              var a = Number(first.value);
              var b = Number(second.value);
              if (a === b) return;
              send(el, api, { type: "roles_swap", group: group.group, role_a: a, role_b: b });
            },
          },
        }),
      ])
    );
  }
  return card;
}

function facilitator(el, data, api) {
  if (!data) return;
  render(el, function () {
    var root = h("div", { className: "roles roles-facilitator" });
    var rules = h("ol", { className: "roles-rules" });
    data.roles.forEach(function (role) {
      rules.appendChild(h("li", { text: roleName(api, role) + " — " + ruleCaption(api, role) }));
    });
    if (data.extra) rules.appendChild(h("li", { text: roleName(api, data.extra) + " — " + api.t("roles.rule_extra") }));
    root.appendChild(h("h2", { text: api.t("roles.title") }));
    root.appendChild(rules);
    var cues = cueList(api, data);
    if (cues) root.appendChild(cues);
    var controls = h("div", { className: "roles-controls" }, [
      h("button", {
        type: "button",
        "data-key": "assign",
        text: api.t("roles.assign"),
        on: {
          click: function () {
            send(el, api, { type: "roles_assign" });
          },
        },
      }),
    ]);
    if (data.rotate && !data.rounds_by_phase) {
      controls.appendChild(
        h("button", {
          type: "button",
          "data-key": "next-round",
          text: api.t("roles.next_round"),
          on: {
            click: function () {
              send(el, api, { type: "roles_next_round" });
            },
          },
        })
      );
    }
    root.appendChild(controls);
    root.appendChild(h("p", { className: "roles-hint", text: api.t("roles.assign_hint") }));
    root.appendChild(statusLine());
    var grid = h("div", { className: "roles-grid" });
    data.groups.forEach(function (group) {
      grid.appendChild(facilitatorGroup(el, api, data, group));
    });
    root.appendChild(grid);
    return root;
  }, JSON.stringify(data));
}

/* The results: each group's roles, and where they rotated, who held which in every round. */
function results(el, data, api) {
  render(el, function () {
    return h("div", { className: "roles roles-results" }, [
      h("div", { className: "roles-grid" }, data.groups.filter(function (g) { return g.assigned; }).map(function (group) {
        var now = group.holders.map(function (holder) { return holder.name; });
        var rounds = data.rotate && group.past && group.past.length ? group.past.concat([now]) : null;
        if (!rounds) return outcome(api, data, group, false);
        return h("div", { className: "roles-card roles-rounds", key: "group-" + group.group }, [
          h("h3", { text: groupName(api, group.group) }),
          h("ol", {}, rounds.map(function (names, r) {
            var line = names.map(function (name, i) {
              return roleName(api, data.roles[i]) + ": " + (name || api.t("roles.not_chosen"));
            }).join(" · ");
            return h("li", { key: "round-" + r }, [
              h("span", { className: "roles-round", text: api.t("roles.round", { round: r + 1, rounds: Math.max(group.rounds || 0, rounds.length) }) }),
              " " + line,
            ]);
          })),
        ]);
      })),
    ]);
  }, JSON.stringify(data));
}

registerKind("roles", { phone: phone, projector: projector, facilitator: facilitator, results: results });
