/* vault-lab study site: copy buttons, mermaid, search, phone menu. A classic script so file:// works. */
(function () {
  'use strict';

  // Copy buttons on code blocks.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var ta = document.createElement('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch { ok = false; }
      document.body.removeChild(ta);
      if (ok) resolve(); else reject(new Error('copy failed'));
    });
  }
  document.querySelectorAll('pre.code').forEach(function (pre) {
    var btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'copy';
    btn.textContent = '복사';
    btn.setAttribute('aria-label', '코드 복사');
    btn.addEventListener('click', function () {
      var code = pre.querySelector('code');
      copyText(code ? code.innerText : pre.innerText).then(function () {
        btn.textContent = '복사됨';
        btn.classList.add('done');
      }, function () {
        btn.textContent = '복사 실패';
      });
      setTimeout(function () { btn.textContent = '복사'; btn.classList.remove('done'); }, 1600);
    });
    pre.appendChild(btn);
  });

  // Mermaid diagrams, rendered here from the bundled copy (no network).
  if (window.mermaid && document.querySelector('pre.mermaid')) {
    var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: dark ? 'dark' : 'default', fontFamily: getComputedStyle(document.body).fontFamily });
    window.mermaid.run({ querySelector: 'pre.mermaid' }).then(function () {
      document.documentElement.setAttribute('data-mermaid', 'done');
    }, function (e) {
      document.documentElement.setAttribute('data-mermaid', 'error');
      console.error('mermaid:', e);
    });
  }

  // Phone menu.
  var menu = document.querySelector('.menu');
  var nav = document.getElementById('sitenav');
  if (menu && nav) {
    menu.addEventListener('click', function () {
      var open = nav.classList.toggle('open');
      menu.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }

  // Search: bigram candidates from the build-time index, confirmed by substring (works for Korean).
  var idx = window.LAB_SEARCH;
  var input = document.getElementById('q');
  var list = document.getElementById('results');
  if (!idx || !input || !list) return;

  function norm(s) { return s.toLowerCase().replace(/\s+/g, ' ').trim(); }
  function bigrams(s) {
    var chars = Array.from(s), out = [];
    for (var i = 0; i + 1 < chars.length; i++) {
      var g = chars[i] + chars[i + 1];
      if (!/\s/.test(g) && out.indexOf(g) < 0) out.push(g);
    }
    return out;
  }
  function search(q) {
    var terms = norm(q).split(' ').filter(Boolean);
    if (!terms.length) return [];
    var cand = null;
    terms.forEach(function (t) {
      bigrams(t).forEach(function (g) {
        var hits = idx.grams[g] || [];
        if (cand === null) cand = hits.slice();
        else cand = cand.filter(function (i) { return hits.indexOf(i) >= 0; });
      });
    });
    var pool = cand === null ? idx.sections.map(function (_, i) { return i; }) : cand;
    var out = [];
    pool.forEach(function (i) {
      var s = idx.sections[i];
      var hay = norm(s.h) + ' ' + s.x;
      var score = 0;
      for (var k = 0; k < terms.length; k++) {
        var n = hay.split(terms[k]).length - 1;
        if (!n) return;
        score += n + (norm(s.h).indexOf(terms[k]) >= 0 ? 5 : 0);
      }
      out.push({ s: s, score: score });
    });
    out.sort(function (a, b) { return b.score - a.score; });
    return out.slice(0, 20).map(function (r) { return r.s; });
  }
  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function snippet(text, term) {
    var i = text.indexOf(term);
    var start = Math.max(0, i - 40);
    var part = text.slice(start, i + term.length + 60);
    var j = part.indexOf(term);
    return (start > 0 ? '…' : '') + esc(part.slice(0, j)) + '<mark>' + esc(term) + '</mark>' + esc(part.slice(j + term.length)) + '…';
  }
  function show() {
    var q = input.value;
    var terms = norm(q).split(' ').filter(Boolean);
    if (!terms.length) { list.hidden = true; list.innerHTML = ''; return; }
    var hits = search(q);
    list.innerHTML = hits.length ? hits.map(function (s) {
      var href = s.p + (s.a ? '#' + encodeURIComponent(s.a) : '');
      return '<li><a href="' + esc(href) + '" data-page="' + esc(s.p) + '"><span class="rt">' + esc(s.t) + '</span><strong>' + esc(s.h) + '</strong><span class="rs">' + snippet(s.x, terms[0]) + '</span></a></li>';
    }).join('') : '<li class="none">검색 결과가 없습니다.</li>';
    list.hidden = false;
  }
  input.addEventListener('input', show);
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { input.value = ''; show(); }
    if (e.key === 'Enter') { var a = list.querySelector('a'); if (a) a.click(); }
  });
  document.addEventListener('click', function (e) {
    if (!list.contains(e.target) && e.target !== input) list.hidden = true;
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === '/' && document.activeElement !== input) { e.preventDefault(); input.focus(); }
  });
})();
