// Reload the board when a file arrives: the server tells a version that changes with every outcome.
(function () {
  var board = document.getElementById("board");
  if (!board || !window.fetch) return;
  var period = board.getAttribute("data-period"), seen = board.getAttribute("data-version");
  setInterval(function () {
    fetch("/office/version?period=" + encodeURIComponent(period), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d && d.version !== seen) { location.reload(); } })
      .catch(function () {});
  }, 3000);
})();
