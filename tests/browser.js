// Debian's Chromium, started by puppeteer (Ace's copy, in ROOT/node_modules/) as Ace starts it,
// for the tests' page scripts (keeping/axe.js, ereader/targets.js): no sandbox (the tests may
// run as root), no GPU, no requests of the browser's own, one renderer process for every page.
module.exports.launch = (root) =>
  require(`${root}/node_modules/puppeteer`).launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--renderer-process-limit=1"],
  });
