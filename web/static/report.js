/* The report view: bring the cited passage into view and give it focus, so
   keyboard and screen-reader users land on it too. Links of the form
   #c<start>-<end> are turned into the server-marked form. */
(function () {
  "use strict";
  const legacy = /^#c(\d+)-(\d+)$/.exec(location.hash);
  if (legacy && !document.getElementById("passage")) {
    location.replace(`${location.pathname}?start=${legacy[1]}&end=${legacy[2]}#passage`);
    return;
  }
  const passage = document.getElementById("passage");
  if (passage) {
    passage.scrollIntoView({block: "center"});
    passage.focus({preventScroll: true});
  }
})();
