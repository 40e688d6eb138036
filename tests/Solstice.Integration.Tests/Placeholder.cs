namespace Solstice.Integration.Tests;
