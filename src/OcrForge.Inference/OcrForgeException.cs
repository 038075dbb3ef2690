namespace OcrForge.Inference;

/// <summary>
/// A problem with the user's input (a file, a folder, an option) that the user can fix.
/// The message is one line that names the file or option and the problem; the CLI prints it without a stack trace.
/// </summary>
public class OcrForgeException : Exception
{
    public OcrForgeException(string message) : base(message) { }
    public OcrForgeException(string message, Exception inner) : base(message, inner) { }
}
