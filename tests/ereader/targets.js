// Every link of some EPUB chapters measured in Debian's Chromium, driven by puppeteer as Ace
// drives it, in one browser: node targets.js ROOT WIDTH HEIGHT CHAPTER.xhtml… prints, for each
// chapter, the font size of each heading, and each link's box, class and text, what stands just
// before and after it, and whether it stands in a sentence (its block holds text outside links:
// WCAG 2.5.8's inline exception), as JSON.
const [root, width, height, ...chapters] = process.argv.slice(2);
const { launch } = require("../browser.js");

(async () => {
  const browser = await launch(root);
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: Number(width), height: Number(height) });
    const measured = {};
    for (const chapter of chapters) {
      await page.goto(`file://${chapter}`);
      measured[chapter] = await page.evaluate(() => ({
        headings: [...document.querySelectorAll("h1, h2, h3")].map((h) => [h.tagName, parseFloat(getComputedStyle(h).fontSize)]),
        links: [...document.querySelectorAll("a[href]")].filter((a) => a.getClientRects().length).map((a) => {
          const box = a.getBoundingClientRect();
          const before = a.previousSibling ? a.previousSibling.textContent : "";
          const after = a.nextSibling ? a.nextSibling.textContent : "";
          const block = a.closest("p, li, td, th, dd, dt, h1, h2, h3, figcaption, div, section") || document.body;
          let own = block.textContent;
          for (const link of block.querySelectorAll("a")) own = own.replace(link.textContent, "");
          return {
            inline: /[A-Za-z]{2}/.test(own),
            cls: a.className, text: a.textContent, id: a.id, href: a.getAttribute("href"),
            left: box.left, top: box.top + window.scrollY, width: box.width, height: box.height,
            before: before.slice(-3), after: after.slice(0, 3),
          };
        }),
      }));
    }
    console.log(JSON.stringify(measured));
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
