/* Share a request: the system's share sheet where the browser has one (Web Share API), else
 * copying its link; and the print page's "Print" button. Every word comes from the page. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-share]");
    if (box) {
      var input = document.getElementById("share-link");
      var status = box.querySelector("[data-share-status]");
      var share = box.querySelector("[data-share-button]");
      var copy = box.querySelector("[data-copy-button]");
      var say = function (text) { if (status) status.textContent = text; };
      if (navigator.share && share) {
        share.hidden = false;
        share.addEventListener("click", function () {
          navigator.share({ title: box.dataset.title, url: input.value }).catch(function () {});
        });
      }
      if (copy) {
        copy.hidden = false;
        copy.addEventListener("click", function () {
          var done = function () { say(box.dataset.copied); };
          var fallback = function () {
            input.focus();
            input.select();
            try { if (document.execCommand("copy")) { done(); return; } } catch (e) { /* none */ }
            say(box.dataset.copyFailed);
          };
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(input.value).then(done, fallback);
          } else {
            fallback();
          }
        });
      }
    }
    var print = document.querySelector("[data-print-button]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
  });
})();
