using System.CommandLine;
using OcrForge.Server;

namespace OcrForge.Cli.Commands;

public static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file (.onnx or .ocrf).", Required = true };
        var urls = new Option<string>("--urls") { Description = "Address to listen on.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var engine = new Option<string?>("--engine") { Description = "torch or onnx; by default from the file type." };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads of the engine." };

        var command = new Command("serve", "Serve a model over HTTP: GET /health, GET /model, POST /predict (image body or multipart files).")
        {
            model, urls, engine, threads,
        };
        command.SetAction(parse => Cli.Run(() =>
        {
            var app = OcrServer.Build(parse.GetValue(model)!, new OcrServerOptions
            {
                Urls = parse.GetValue(urls)!,
                Engine = parse.GetValue(engine),
                Threads = parse.GetValue(threads),
            });
            app.Run();
            return Cli.Ok;
        }));
        return command;
    }
}
