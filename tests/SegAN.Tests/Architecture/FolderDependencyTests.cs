using System.Reflection;
using System.Reflection.Emit;

namespace SegAN.Tests.Architecture;

/// <summary>
/// The library's folders (one namespace each) form layers: a folder may use the folders below it, never one above
/// it, so that no two folders depend on each other (docs/architecture.md draws the graph). The check reflects over
/// the compiled SegAN assembly: every type's base type, interfaces, fields, properties, method signatures, locals,
/// attributes and the types, methods and fields its IL refers to (the calls, <c>new</c>s, field accesses, casts,
/// <c>typeof</c>s), compiler-made closures and state machines counted for the type that holds them.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>Bottom first; "" is the root namespace (SegANException, ErrorReport, JsonDefaults).</summary>
    public static readonly string[] Layers =
    [
        "",
        "Compute",
        "Imaging",
        "Metrics",
        "Data",
        "Evaluation",
        "Models",
        "Losses",
        "Persistence",
        "Distributed",
        "Export",
        "Inference",
        "Training",
        "Reporting",
        "Experiments",
        "Demo",
    ];

    [Fact]
    public void Folders_ReferenceOnlyFoldersBelowThem()
    {
        var upward = Dependencies(typeof(SegANException).Assembly)
            .Where(d => Rank(d.From) < Rank(d.To))
            .Select(d => $"{Describe(d.From)} -> {Describe(d.To)} ({d.Where})")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(upward.Count == 0, "Upward references between folders (bottom first: " + string.Join(", ", Layers.Select(Describe)) + "):\n" + string.Join("\n", upward));
    }

    [Fact]
    public void Layers_NameEveryFolderOfTheLibrary()
    {
        var folders = typeof(SegANException).Assembly.GetTypes().Select(t => Folder(t)).OfType<string>().Distinct();

        Assert.Empty(folders.Except(Layers));
    }

    [Fact]
    public void Dependencies_FindAReferenceMadeOnlyInsideAMethodBody()
    {
        // A reference the signatures never show: proves the IL is read (Volume is Imaging, used inside a Data method).
        var found = Dependencies(typeof(SegANException).Assembly)
            .Any(d => d.From == "Data" && d.To == "Imaging");

        Assert.True(found);
    }

    private static int Rank(string folder) => Array.IndexOf(Layers, folder) is var i and >= 0
        ? i
        : throw new InvalidOperationException($"Folder '{folder}' is not in {nameof(Layers)}; place it in the layer order.");

    private static string Describe(string folder) => folder.Length == 0 ? "(root)" : folder;

    // SegAN.Training.Trainer -> "Training"; SegAN.SegANException -> ""; a type outside SegAN (System, TorchSharp,
    // the generated ONNX protobuf classes, <PrivateImplementationDetails>) -> null.
    private static string? Folder(Type type)
    {
        var ns = type.Namespace;
        if (ns is null || !(ns == "SegAN" || ns.StartsWith("SegAN.", StringComparison.Ordinal)))
        {
            return null;
        }

        return ns == "SegAN" ? string.Empty : ns["SegAN.".Length..].Split('.')[0];
    }

    private static IEnumerable<(string From, string To, string Where)> Dependencies(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (Folder(type) is not { } from)
            {
                continue;
            }

            foreach (var used in UsedTypes(type))
            {
                if (Folder(used) is { } to && to != from)
                {
                    yield return (from, to, $"{Outermost(type).FullName} uses {used.FullName}");
                }
            }
        }
    }

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static HashSet<Type> UsedTypes(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null)
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType()); // arrays, by-ref parameters, pointers: their element type
                return;
            }

            if (!found.Add(t))
            {
                return;
            }

            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var a in t.GetGenericArguments())
                {
                    Add(a);
                }
            }
        }

        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var a in attributes)
            {
                Add(a.AttributeType);
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        AddAttributes(type.CustomAttributes);
        foreach (var f in type.GetFields(Declared))
        {
            Add(f.FieldType);
            AddAttributes(f.CustomAttributes);
        }

        foreach (var p in type.GetProperties(Declared))
        {
            Add(p.PropertyType);
        }

        foreach (var e in type.GetEvents(Declared))
        {
            Add(e.EventHandlerType);
        }

        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi)
            {
                Add(mi.ReturnType);
            }

            foreach (var p in m.GetParameters())
            {
                Add(p.ParameterType);
            }

            AddAttributes(m.CustomAttributes);
            foreach (var member in ReferencedMembers(m))
            {
                switch (member)
                {
                    case Type t:
                        Add(t);
                        break;
                    case MethodBase called:
                        Add(called.DeclaringType);
                        if (called is MethodInfo { IsGenericMethod: true } generic)
                        {
                            foreach (var a in generic.GetGenericArguments())
                            {
                                Add(a);
                            }
                        }

                        break;
                    case FieldInfo field:
                        Add(field.DeclaringType);
                        Add(field.FieldType);
                        break;
                }
            }

            foreach (var local in m.GetMethodBody()?.LocalVariables ?? [])
            {
                Add(local.LocalType);
            }
        }

        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    // The members an IL body names through metadata tokens (call, newobj, ldfld, castclass, ldtoken...).
    private static IEnumerable<MemberInfo> ReferencedMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[at++]));
            }

            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    at += 4;
                    MemberInfo? member;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArgs, methodArgs);
                    }
                    catch (ArgumentException)
                    {
                        member = null;
                    }

                    if (member is not null)
                    {
                        yield return member;
                    }

                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                default:
                    at += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
