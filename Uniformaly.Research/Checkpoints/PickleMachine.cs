using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using static Uniformaly.Research.Checkpoints.PickleOpcodes;

namespace Uniformaly.Research.Checkpoints;

/// <summary>A pickle interpreter that builds inert values and never executes anything: globals
/// go through <see cref="PickleGlobals"/>' allow-list, calls are interpreted there, and
/// persistent ids (torch storages) are handed to the caller's resolver.</summary>
internal sealed class PickleMachine
{
    // Longest text line (GLOBAL names, protocol-0 ints) accepted before calling the pickle corrupt.
    private const int MaxLineBytes = 4096;

    private readonly Stream _stream;
    private readonly string _path;
    private readonly Func<object?, object> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];

    private PickleMachine(Stream stream, string path, Func<object?, object> persistentLoad)
    {
        _stream = stream;
        _path = path;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Reads one pickle from the stream's current position up to and including its
    /// STOP opcode, leaving the stream just after it.</summary>
    /// <param name="stream">Positioned at the pickle's first opcode.</param>
    /// <param name="path">The file, named in every error.</param>
    /// <param name="persistentLoad">Maps a persistent id (BINPERSID's argument) to its value.</param>
    public static object? Load(Stream stream, string path, Func<object?, object> persistentLoad)
    {
        try
        {
            return new PickleMachine(stream, path, persistentLoad).Run();
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException(path, $"is truncated: a pickle ends early ({e.Message})", e);
        }
    }

    private object? Run()
    {
        while (true)
        {
            var opcode = ReadByte();
            if (opcode == Stop) return PopValue();
            Execute(opcode);
        }
    }

    private void Execute(byte opcode)
    {
        if (PushConstant(opcode) || Containers(opcode) || Memo(opcode) || Objects(opcode)) return;
        switch (opcode)
        {
            case Proto: ReadByte(); break;
            case Frame: ReadExactly(8); break;
            case Mark: _marks.Push(_stack.Count); break;
            case Pop: PopValue(); break;
            case PopMark: PopToMark(); break;
            case Dup: Push(Top()); break;
            default: throw Corrupt($"unsupported pickle opcode 0x{opcode:x2}");
        }
    }

    private bool PushConstant(byte opcode)
    {
        switch (opcode)
        {
            case None: Push(null); break;
            case NewTrue: Push(true); break;
            case NewFalse: Push(false); break;
            case Int: Push(ParseTextInt(ReadLine())); break;
            case BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadExactly(4))); break;
            case BinInt1: Push((long)ReadByte()); break;
            case BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadExactly(2))); break;
            case Long1: Push(ParseLong(ReadExactly(ReadByte()))); break;
            case Long4: Push(ParseLong(ReadExactly(ReadLength(4)))); break;
            case BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(ReadExactly(8))); break;
            case ShortBinUnicode: Push(Encoding.UTF8.GetString(ReadExactly(ReadByte()))); break;
            case BinUnicode: Push(Encoding.UTF8.GetString(ReadExactly(ReadLength(4)))); break;
            case BinUnicode8: Push(Encoding.UTF8.GetString(ReadExactly(ReadLength(8)))); break;
            case ShortBinString: Push(Encoding.Latin1.GetString(ReadExactly(ReadByte()))); break;
            case BinString: Push(Encoding.Latin1.GetString(ReadExactly(ReadLength(4)))); break;
            case ShortBinBytes: Push(ReadExactly(ReadByte())); break;
            case BinBytes: Push(ReadExactly(ReadLength(4))); break;
            case BinBytes8 or ByteArray8: Push(ReadExactly(ReadLength(8))); break;
            default: return false;
        }
        return true;
    }

    private bool Containers(byte opcode)
    {
        switch (opcode)
        {
            case EmptyList: Push(new List<object?>()); break;
            case List: Push(PopToMark().ToList()); break;
            case Append: AsList(Peek(1)).Add(PopValue()); break;
            case Appends: { var items = PopToMark(); AsList(Top()).AddRange(items); break; }
            case EmptyTuple: Push(new PyTuple([])); break;
            case MarkTuple: Push(new PyTuple(PopToMark())); break;
            case Tuple1: Push(new PyTuple(PopN(1))); break;
            case Tuple2: Push(new PyTuple(PopN(2))); break;
            case Tuple3: Push(new PyTuple(PopN(3))); break;
            case EmptyDict: Push(new PyDict()); break;
            case Dict: { var dict = new PyDict(); SetPairs(dict, PopToMark()); Push(dict); break; }
            case SetItem: { var kv = PopN(2); SetPairs(AsDict(Top()), kv); break; }
            case SetItems: { var kv = PopToMark(); SetPairs(AsDict(Top()), kv); break; }
            // Sets become lists: they only ever hold inert values here.
            case EmptySet: Push(new List<object?>()); break;
            case AddItems: { var items = PopToMark(); AsList(Top()).AddRange(items); break; }
            case FrozenSet: Push(PopToMark().ToList()); break;
            default: return false;
        }
        return true;
    }

    private bool Memo(byte opcode)
    {
        switch (opcode)
        {
            case Put: _memo[ParseTextLong(ReadLine())] = Top(); break;
            case BinPut: _memo[ReadByte()] = Top(); break;
            case LongBinPut: _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadExactly(4))] = Top(); break;
            case Memoize: _memo[_memo.Count] = Top(); break;
            case Get: Push(Recall(ParseTextLong(ReadLine()))); break;
            case BinGet: Push(Recall(ReadByte())); break;
            case LongBinGet: Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadExactly(4)))); break;
            default: return false;
        }
        return true;
    }

    private bool Objects(byte opcode)
    {
        switch (opcode)
        {
            case Global:
            {
                var module = ReadLine();
                Push(PickleGlobals.Resolve(module, ReadLine(), _path));
                break;
            }
            case StackGlobal:
            {
                var names = PopN(2);
                if (names[0] is not string module || names[1] is not string name) throw Corrupt("STACK_GLOBAL without two strings");
                Push(PickleGlobals.Resolve(module, name, _path));
                break;
            }
            case Reduce:
            {
                var args = AsTuple(PopValue());
                Push(PickleGlobals.Call(AsGlobal(PopValue()), args.Items, _path));
                break;
            }
            case NewObj:
            {
                var args = AsTuple(PopValue());
                Push(PickleGlobals.New(AsGlobal(PopValue()), args.Items, _path));
                break;
            }
            case NewObjEx:
            {
                var kwargs = AsDict(PopValue());
                var args = AsTuple(PopValue());
                if (kwargs.Count > 0) throw Corrupt("NEWOBJ_EX with keyword arguments");
                Push(PickleGlobals.New(AsGlobal(PopValue()), args.Items, _path));
                break;
            }
            case Build:
            {
                var state = PopValue();
                PickleGlobals.Build(Top(), state, _path);
                break;
            }
            case BinPersId: Push(_persistentLoad(PopValue())); break;
            case PersId: Push(_persistentLoad(ReadLine())); break;
            default: return false;
        }
        return true;
    }

    // ---- stack -------------------------------------------------------------------------------

    private void Push(object? value) => _stack.Add(value);

    private object? Top() => Peek(0);

    private object? Peek(int depth)
    {
        var index = _stack.Count - 1 - depth;
        if (index < (_marks.Count > 0 ? _marks.Peek() : 0)) throw Corrupt("stack underflow");
        return _stack[index];
    }

    private object? PopValue()
    {
        var value = Top();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopN(int count)
    {
        var start = _stack.Count - count;
        if (start < (_marks.Count > 0 ? _marks.Peek() : 0)) throw Corrupt("stack underflow");
        var items = _stack.GetRange(start, count).ToArray();
        _stack.RemoveRange(start, count);
        return items;
    }

    private object?[] PopToMark()
    {
        if (_marks.Count == 0) throw Corrupt("no MARK to pop to");
        var start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, items.Length);
        return items;
    }

    private object? Recall(long key) =>
        _memo.TryGetValue(key, out var value) ? value : throw Corrupt($"memo key {key} was never stored");

    private void SetPairs(PyDict dict, object?[] keysAndValues)
    {
        if (keysAndValues.Length % 2 != 0) throw Corrupt("odd number of dict items");
        for (var i = 0; i < keysAndValues.Length; i += 2)
            dict[keysAndValues[i] ?? throw Corrupt("None as a dict key")] = keysAndValues[i + 1];
    }

    private List<object?> AsList(object? value) => value as List<object?> ?? throw Corrupt($"appending to a {Describe(value)}");
    private PyDict AsDict(object? value) => value as PyDict ?? throw Corrupt($"setting items on a {Describe(value)}");
    private PyTuple AsTuple(object? value) => value as PyTuple ?? throw Corrupt($"arguments in a {Describe(value)}, not a tuple");
    private PyGlobal AsGlobal(object? value) => value as PyGlobal ?? throw Corrupt($"calling a {Describe(value)}");

    private static string Describe(object? value) => value?.GetType().Name ?? "None";

    // ---- input -------------------------------------------------------------------------------

    private byte ReadByte()
    {
        var b = _stream.ReadByte();
        return b >= 0 ? (byte)b : throw new EndOfStreamException($"at byte {_stream.Position}");
    }

    private byte[] ReadExactly(int count)
    {
        if (_stream.CanSeek && count > _stream.Length - _stream.Position)
            throw new EndOfStreamException($"{count} bytes wanted at byte {_stream.Position}, {_stream.Length - _stream.Position} left");
        var bytes = new byte[count];
        _stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A little-endian unsigned length of <paramref name="width"/> bytes.</summary>
    private int ReadLength(int width)
    {
        var raw = ReadExactly(width);
        var length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(raw) : BinaryPrimitives.ReadUInt64LittleEndian(raw);
        return length <= int.MaxValue ? (int)length : throw Corrupt($"a {length}-byte value");
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        for (var b = ReadByte(); b != (byte)'\n'; b = ReadByte())
        {
            if (bytes.Count == MaxLineBytes) throw Corrupt("an overlong text line");
            bytes.Add(b);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>LONG1/LONG4: little-endian two's complement; a long when it fits (every torch
    /// size and offset), else a BigInteger (the legacy format's magic number).</summary>
    private static object ParseLong(byte[] bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    /// <summary>Protocol-0 INT: "01"/"00" stand for True/False.</summary>
    private object ParseTextInt(string text) => text switch
    {
        "01" => true,
        "00" => false,
        _ => ParseTextLong(text),
    };

    private long ParseTextLong(string text) =>
        long.TryParse(text, out var value) ? value : throw Corrupt($"'{text}' where a decimal integer belongs");

    private CheckpointException Corrupt(string what) =>
        new(_path, $"has a corrupt or unsupported pickle: {what} (at byte {_stream.Position})");
}
