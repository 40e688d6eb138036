using System.Runtime.InteropServices;

namespace Solstice.Linux.Interop;

/// <summary>Passing file descriptors over unix sockets (unix(7) SCM_RIGHTS), as runc's --console-socket does.</summary>
public static unsafe partial class ScmRights
{
    private const int SolSocket = 1;
    private const int ScmRightsType = 1;
    private const int MsgCtrunc = 0x8;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int EAgain = 11;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    // CMSG_SPACE(sizeof(int)) on LP64: the 16-byte header plus the int rounded up to 8.
    private const int ControlSpace = 24;
    private const int ControlLength = 20;

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(nint socket, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMsg(nint socket, MsgHdr* message, int flags);

    /// <summary>
    /// Receives one message. Returns the descriptor it carried (close-on-exec) or -1 when it carried none;
    /// payloadLength is the number of data bytes, 0 at end of stream.
    /// </summary>
    /// <exception cref="SyscallException">recvmsg failed; Errno is EAGAIN (11) on a non-blocking socket with nothing queued.</exception>
    public static int Receive(SafeHandle socket, Span<byte> payload, out int payloadLength)
    {
        byte* control = stackalloc byte[ControlSpace];
        new Span<byte>(control, ControlSpace).Clear();
        fixed (byte* data = payload)
        {
            var iov = new IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSpace };
            bool added = false;
            socket.DangerousAddRef(ref added);
            nint received;
            try
            {
                received = RecvMsg(socket.DangerousGetHandle(), &message, MsgCmsgCloexec);
            }
            finally
            {
                if (added)
                    socket.DangerousRelease();
            }
            if (received < 0)
                throw SyscallException.Last("recvmsg");
            payloadLength = (int)received;
            var header = (CmsgHdr*)control;
            if (message.ControlLength < (nuint)ControlLength || header->Level != SolSocket || header->Type != ScmRightsType)
                return -1;
            int fd = *(int*)(control + sizeof(CmsgHdr));
            if ((message.Flags & MsgCtrunc) != 0)
            {
                Libc.Close(fd);
                throw new IOException("recvmsg: control data truncated");
            }
            return fd;
        }
    }

    /// <summary>Sends payload (at least one byte) together with a duplicate of fd.</summary>
    public static void Send(SafeHandle socket, int fd, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
            throw new ArgumentException("SCM_RIGHTS needs at least one data byte", nameof(payload));
        byte* control = stackalloc byte[ControlSpace];
        new Span<byte>(control, ControlSpace).Clear();
        var header = (CmsgHdr*)control;
        header->Length = ControlLength;
        header->Level = SolSocket;
        header->Type = ScmRightsType;
        *(int*)(control + sizeof(CmsgHdr)) = fd;
        fixed (byte* data = payload)
        {
            var iov = new IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSpace };
            bool added = false;
            socket.DangerousAddRef(ref added);
            try
            {
                if (SendMsg(socket.DangerousGetHandle(), &message, 0) < 0)
                    throw SyscallException.Last("sendmsg");
            }
            finally
            {
                if (added)
                    socket.DangerousRelease();
            }
        }
    }

    public static bool IsWouldBlock(SyscallException ex) => ex.Errno == EAgain;
}
