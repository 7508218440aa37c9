// Screens of a `chibo serve` on the demo data at 390×844, as a phone shows
// them: the secretary's home, a meeting just planned, its roll-call once
// opened, and the cell's dashboard (whose height it prints).
// Usage: node shoot.js BASE_URL PASSWORD PREFIX  (needs puppeteer-core, as
// Lighthouse installs it: NODE_PATH=…/node_modules; Debian's chromium).
const puppeteer = require("puppeteer-core");
const [base, password, prefix] = process.argv.slice(2);
(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH || "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--lang=vi"],
  });
  const page = await browser.newPage();
  page.setDefaultNavigationTimeout(120000);
  await page.emulate({
    viewport: { width: 390, height: 844, deviceScaleFactor: 1, isMobile: true, hasTouch: true },
    userAgent: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
  });
  await page.goto(base + "/login");
  await page.type("#login", "bithu");
  await page.type("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
  await page.screenshot({ path: prefix + "home.png" });
  // Plan next month's meeting from the form's defaults, then open it.
  await page.goto(base + "/meetings");
  await Promise.all([page.waitForNavigation(), page.click("a[href^='/meetings/new?cell=']")]);
  await page.$eval("#place", e => { e.value = ""; });
  await page.type("#place", "Nhà văn hóa khu phố 1");
  await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
  await page.screenshot({ path: prefix + "meeting.png" });
  if (await page.$("#open-reason")) await page.type("#open-reason", "Họp sớm để kịp triển khai");
  await Promise.all([page.waitForNavigation(), page.click("#open-meeting")]);
  await page.screenshot({ path: prefix + "roll-call.png" });
  // The cell's dashboard: its first screen, and how long the page is.
  await page.goto(base + "/dashboard");
  await page.screenshot({ path: prefix + "dashboard.png" });
  const height = await page.evaluate(() => document.body.scrollHeight);
  console.log(`dashboard: ${height} px at 390×844`);
  await browser.close();
})();
