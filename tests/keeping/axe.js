// axe-core (Ace's own copy, in node_modules/) on one page in Debian's Chromium, driven by
// puppeteer as Ace drives it: node axe.js ROOT PAGE.html prints the violations as JSON.
// Only file: requests are let through: the page must stand alone.
const [root, page_path] = process.argv.slice(2);
const { launch } = require("../browser.js");

(async () => {
  const browser = await launch(root);
  try {
    const page = await browser.newPage();
    const requested = [];
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      requested.push(request.url());
      return request.url().startsWith("file:") ? request.continue() : request.abort();
    });
    await page.goto(`file://${page_path}`);
    await page.addScriptTag({ path: `${root}/node_modules/@daisy/axe-core-for-ace/axe.min.js` });
    const result = await page.evaluate(async () => await axe.run(document));
    const violations = result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((node) => node.target.join(" ")),
    }));
    console.log(JSON.stringify({ violations, passes: result.passes.map((p) => p.id), requested }));
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
