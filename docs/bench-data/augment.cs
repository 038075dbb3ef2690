#:project ../../src/OcrForge/OcrForge.csproj
using System.Diagnostics;
using OcrForge.Data;
using OcrForge.Inference.Imaging;
// CPU time of one augmentation, per preset and without its noise/blur, on a real captcha and a Fnt character.
var data = args.Length > 0 ? args[0] : "../../../shared/data";
var captcha = ImageDecoder.DecodeFile(Path.Combine(data, "captcha_images_v2", "22d5n.png"));
var character = ImageDecoder.DecodeFile(Path.Combine(data, "chars74k", "English", "Fnt", "Sample001", "img001-00001.png"));
var rng = new Random(1);
(string Name, GrayImage Image, AugmentOptions Options)[] cases =
[
    ("captcha 200x50, text-lines", captcha, AugmentOptions.TextLines),
    ("captcha 200x50, text-lines without noise", captcha, AugmentOptions.TextLines with { NoiseStd = 0 }),
    ("captcha 200x50, text-lines without noise and blur", captcha, AugmentOptions.TextLines with { NoiseStd = 0, BlurProbability = 0 }),
    ("character 28x28, characters", character, AugmentOptions.Characters),
];
foreach (var (name, image, options) in cases)
{
    var augmenter = new Augmenter(options);
    for (int i = 0; i < 200; i++) augmenter.Apply(image, rng);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    for (int i = 0; i < 2000; i++) augmenter.Apply(image, rng);
    var perImage = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 2000;
    Console.WriteLine($"{name}: {perImage * 1000:F0} us CPU per image; load {File.ReadAllText("/proc/loadavg").Trim()}");
}
