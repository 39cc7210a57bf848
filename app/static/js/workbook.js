// «Mine svar»: the print button opens the browser's print dialog («Lagre som PDF», A4).
const print = document.getElementById("workbook-print");
if (print) print.addEventListener("click", () => window.print());
