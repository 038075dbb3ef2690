using OcrForge.Inference;
using OcrForge.Server;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using static OcrForge.Tests.Server.ServerFixtures;

namespace OcrForge.Tests.Server;

/// <summary>The page at / in a real browser: Debian's headless chromium, driven through chromedriver.</summary>
public class BrowserPageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    [Fact]
    public async Task A_picked_image_shows_the_text_that_predict_answers_for_it()
    {
        Assert.True(File.Exists(Chromium) && File.Exists(ChromeDriver),
            "needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver "
            + "(the test build does it as root)");
        // Given a captcha model whose (untrained) answer for this image is not empty,
        using var dir = new TempDir();
        var path = CaptchaOnnx(dir);
        using var library = TextRecognizer.Load(path, threads: 1);
        var png = Enumerable.Range(7, 20).Select(seed => Png(200, 50, seed))
            .First(p => library.Predict(p).Text.Length > 0);
        var upload = dir.File("upload.png");
        File.WriteAllBytes(upload, png);
        await using var server = await StartAsync([Open("captcha", path), Open("digits", DigitsOnnx(dir))],
            new OcrServerOptions());
        var http = server.Http;
        var expected = (await JsonAsync(await http.PostAsync("/v1/predict", Body(png)))).GetProperty("results")[0];

        // When the page is opened and the image picked,
        using var driver = StartChromium(dir.File("chromium-profile"));
        driver.Navigate().GoToUrl(http.BaseAddress!);
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30));
        wait.Until(d => d.FindElement(By.TagName("body")).GetAttribute("data-ready") == "true");
        Assert.Equal(["captcha (text)", "digits (classification)"],
            driver.FindElements(By.CssSelector("#model option")).Select(o => o.Text));
        driver.FindElement(By.Id("files")).SendKeys(upload);
        var row = wait.Until(d =>
            d.FindElements(By.CssSelector(".result[data-state=done], .result[data-state=error]")).FirstOrDefault());

        // Then it shows exactly the text /predict answers, with its confidence and the time taken.
        Assert.Equal("done", row!.GetAttribute("data-state"));
        Assert.Equal(expected.GetProperty("text").GetString(), row.FindElement(By.CssSelector(".prediction")).Text);
        Assert.Equal($"{100 * expected.GetProperty("confidence").GetDouble():0.0} %",
            row.FindElement(By.CssSelector(".confidence")).Text);
        Assert.Matches(@"^\d+\.\d ms \(server \d+\.\d ms\)$", row.FindElement(By.CssSelector(".time")).Text);
        Assert.Equal("upload.png", row.FindElement(By.CssSelector(".file")).Text);
    }

    private static ChromeDriver StartChromium(string profile)
    {
        var options = new ChromeOptions { BinaryLocation = Chromium };
        // As root chromium needs --no-sandbox; the rest keeps it from reaching for a network it does not have.
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", $"--user-data-dir={profile}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!,
            Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
