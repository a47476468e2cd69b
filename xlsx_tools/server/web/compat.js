/* Runs first, in any browser (ES5 only): an old browser, or a Chromium-based browser in
   its IE compatibility mode, gets a sentence instead of a page that silently does nothing. */
(function () {
  var ok = !!(window.fetch && window.Promise && window.TextEncoder && window.Blob && window.URL && window.URL.createObjectURL &&
    window.XMLHttpRequest && window.sessionStorage && Array.prototype.includes);
  window.GK_COMPAT = ok;
  if (ok) { return; }
  var show = function () {
    var box = document.getElementById("compat");
    if (!box) { return; }
    box.innerText = "当前浏览器版本过旧，或处于「兼容模式」（IE 内核），本页面无法使用。" +
      "请改用新版的 Chrome、Edge、Firefox，或把 360 安全浏览器、奇安信浏览器等切换到「极速模式」后刷新本页。";
    box.hidden = false;
    box.style.display = "block";
  };
  if (document.addEventListener) { document.addEventListener("DOMContentLoaded", show); } else { window.onload = show; }
})();
