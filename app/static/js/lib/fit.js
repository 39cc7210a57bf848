/* The projector's wall always fits its screen, with no scrolling: nobody scrolls a
 * projector. The wall's sizes are in `em` of one font size, `--fit` × the text size the
 * projector chose × a share of the screen's height (static/css/projector.css), so one
 * number scales it all. After every draw, fitWall() finds the largest `--fit` at which
 * nothing runs off the screen or out of its box, but never lets the smallest text go
 * below `floorPx` (1/50 of the screen's height). When even that is too much:
 *  1. what may go (`data-fit-drop`: a picture shown as an input) goes, then
 *  2. words may break (a 60-letter word in a narrow box), then
 *  3. the wall's parts (`.fit-part`: each kind, the groups) are shown by turns, a page at
 *     a time, each page as large as it fits, then
 *  4. lists marked `data-fit-trim` show the items that fit and "+ N more"; those marked
 *     `data-fit-trim="pages"` show them by turns, as many at a time as fit.
 * Nothing here reads the room: it measures the page. */

var TURN_MS = 12000; // how long each page stays on the wall

function visibleText(root) {
  var out = [];
  var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  for (var el = walker.currentNode; el; el = walker.nextNode()) {
    var own = false;
    for (var n = el.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3 && n.nodeValue.trim()) { own = true; break; }
    }
    if (!own) continue;
    var box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    out.push(el);
  }
  return out;
}

/* The smallest text on the wall now, in px (Infinity: none). */
export function smallestText(root) {
  var least = Infinity;
  visibleText(root).forEach(function (el) {
    least = Math.min(least, parseFloat(getComputedStyle(el).fontSize));
  });
  return least;
}

/* What runs off: the wall beyond the screen, or a text wider than its box. */
export function overflow(root) {
  var out = { down: false, across: false };
  var doc = document.documentElement;
  if (doc.scrollHeight > window.innerHeight + 1 || root.scrollHeight > window.innerHeight + 1) out.down = true;
  if (doc.scrollWidth > window.innerWidth + 1 || root.scrollWidth > window.innerWidth + 1) out.across = true;
  var bottom = window.innerHeight + 1;
  var right = window.innerWidth + 1;
  visibleText(root).forEach(function (el) {
    var box = el.getBoundingClientRect();
    if (box.bottom > bottom) out.down = true;
    if (box.right > right || el.scrollWidth > el.clientWidth + 1) out.across = true;
  });
  return out;
}

function fits(root) {
  var o = overflow(root);
  return !o.down && !o.across;
}

export class Wall {
  /* `root`: the element whose `--fit` scales the wall; `more(count)`: the text of a
   * trimmed list's last line; `pageOf(page, pages)`: the page line's text. */
  constructor(root, texts) {
    this.root = root;
    this.texts = texts;
    this.page = 0;
    this.timer = null;
    this.pageLine = texts.pageLine || null;
  }

  setFit(value) {
    this.root.style.setProperty("--fit", String(value));
  }

  reset() {
    this.setFit(1);
    this.root.classList.remove("fit-break");
    this.root.querySelectorAll("[data-fit-hidden]").forEach(function (el) {
      el.hidden = false;
      el.removeAttribute("data-fit-hidden");
    });
    this.root.querySelectorAll(".fit-more").forEach(function (el) { el.remove(); });
    this.root.querySelectorAll(".fit-off").forEach(function (el) { el.classList.remove("fit-off"); });
    this.root.querySelectorAll(".fit-dropped").forEach(function (el) { el.classList.remove("fit-dropped"); });
    if (this.pageLine) this.pageLine.hidden = true;
  }

  /* The largest --fit in [floor, 1] at which the wall fits; floor if none does. */
  largest(floor) {
    this.setFit(1);
    if (fits(this.root)) return 1;
    this.setFit(floor);
    if (!fits(this.root)) return floor;
    var low = floor;
    var high = 1;
    for (var i = 0; i < 7; i++) {
      var mid = (low + high) / 2;
      this.setFit(mid);
      if (fits(this.root)) low = mid;
      else high = mid;
    }
    this.setFit(low);
    return low;
  }

  /* Fit the wall; `floorPx`: the smallest text allowed. Call after every draw. */
  fit(floorPx) {
    this.floorPx = floorPx;
    this.pages = null;
    this.reset();
    if (fits(this.root)) return this.schedule(1);
    var least = smallestText(this.root);
    var floor = least === Infinity ? 1 : Math.min(1, floorPx / least);
    this.floor = floor;
    if (this.largest(floor) > floor || fits(this.root)) return this.schedule(1);
    var droppable = this.root.querySelectorAll("[data-fit-drop]");
    if (droppable.length) {
      droppable.forEach(function (el) { el.classList.add("fit-dropped"); });
      if (this.largest(floor) > floor || fits(this.root)) return this.schedule(1);
    }
    if (overflow(this.root).across) {
      this.root.classList.add("fit-break");
      if (this.largest(floor) > floor || fits(this.root)) return this.schedule(1);
    }
    var pages = this.paginate(floor);
    if (pages.length > 1) {
      this.show(pages, floor);
      return this.schedule(pages.length);
    }
    return this.schedule(this.trim());
  }

  parts() {
    return Array.from(this.root.querySelectorAll(".fit-part")).filter(function (el) {
      return !el.closest("[hidden]");
    });
  }

  /* The parts in pages: as many side by side as fit at the floor. */
  paginate(floor) {
    var parts = this.parts();
    if (parts.length < 2) return [parts];
    this.setFit(floor);
    var pages = [];
    var page = [];
    var self = this;
    parts.forEach(function (part) {
      var trial = page.concat([part]);
      parts.forEach(function (p) { p.classList.toggle("fit-off", trial.indexOf(p) < 0); });
      if (page.length && !fits(self.root)) {
        pages.push(page);
        page = [part];
      } else {
        page = trial;
      }
    });
    pages.push(page);
    parts.forEach(function (p) { p.classList.remove("fit-off"); });
    this.pages = pages;
    return pages;
  }

  show(pages, floor) {
    var number = this.page % pages.length;
    var parts = this.parts();
    parts.forEach(function (p) { p.classList.toggle("fit-off", pages[number].indexOf(p) < 0); });
    if (this.pageLine) {
      this.pageLine.hidden = false;
      this.pageLine.textContent = this.texts.pageOf(number + 1, pages.length);
    }
    if (this.largest(floor) <= floor && !fits(this.root)) this.trim();
  }

  /* Show items [start, start + count) of a list, and say where they are. */
  keepRange(items, start, count, more, paged) {
    items.forEach(function (item, index) {
      var off = index < start || index >= start + count;
      item.hidden = off;
      if (off) item.setAttribute("data-fit-hidden", "");
      else item.removeAttribute("data-fit-hidden");
    });
    var page = Math.floor(start / Math.max(1, count));
    more.textContent = paged
      ? this.texts.pageOf(page + 1, Math.ceil(items.length / Math.max(1, count)))
      : this.texts.more(items.length - count);
  }

  /* The most items from `start` that fit (at least one). */
  most(items, start, more, paged) {
    var low = 1;
    var high = items.length - start;
    while (low < high) {
      var mid = Math.ceil((low + high) / 2);
      this.keepRange(items, start, mid, more, paged);
      if (fits(this.root)) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /* Lists marked data-fit-trim keep the items that fit, the longest list first; a list
   * of pages shows the page of the wall's turn. How many pages turn (1: none). */
  trim() {
    var lists = Array.from(this.root.querySelectorAll("[data-fit-trim]")).filter(function (el) {
      return el.getClientRects().length > 0;
    });
    lists.sort(function (a, b) { return b.children.length - a.children.length; });
    var turns = 1;
    for (var i = 0; i < lists.length && !fits(this.root); i++) {
      var list = lists[i];
      var paged = list.getAttribute("data-fit-trim") === "pages";
      var items = Array.from(list.children);
      var more = document.createElement(list.tagName === "OL" || list.tagName === "UL" ? "li" : "p");
      more.className = "fit-more";
      list.appendChild(more);
      var count = this.most(items, 0, more, paged);
      if (count >= items.length) {
        this.keepRange(items, 0, items.length, more, paged);
        more.remove();
        continue;
      }
      if (!paged) {
        this.keepRange(items, 0, count, more, false);
        continue;
      }
      var pages = Math.ceil(items.length / count);
      var start = (this.page % pages) * count;
      this.keepRange(items, start, Math.min(count, items.length - start), more, true);
      if (!fits(this.root)) this.keepRange(items, start, this.most(items, start, more, true), more, true);
      turns = Math.max(turns, pages);
    }
    return turns;
  }

  /* Pages turn by themselves; one page: no timer. */
  schedule(pages) {
    var self = this;
    if (pages < 2) {
      if (this.timer) window.clearInterval(this.timer);
      this.timer = null;
      this.page = 0;
      return;
    }
    if (this.timer) return;
    this.timer = window.setInterval(function () {
      self.page += 1;
      if (self.pages && self.pages.length > 1) self.show(self.pages, self.floor);
      else self.fit(self.floorPx);
    }, TURN_MS);
  }
}
