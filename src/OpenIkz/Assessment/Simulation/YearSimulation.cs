namespace OpenIkz.Assessment.Simulation;

/// <summary>
/// A discrete-event simulation of the case work of candidate partners, each service alone (its own staff) and pooled
/// (all partners' staff of a service serving all their cases of it, in the app's claim order), without I/O.
/// <para>
/// The model (see docs/ASSESSMENT.md, "Simulation of a year"): time runs on a working clock of
/// <see cref="SimulationInput.HoursPerDay"/> hours per working day (Monday to Friday); nights and weekends do not exist
/// on it. Cases of a service arrive as a Poisson process whose rate is constant within a working day and follows the
/// weekday and seasonal profiles from day to day, scaled so that the first 365 calendar days expect
/// <see cref="SimulationService.CasesPerYear"/> cases. Each FTE is one clerk who works the whole day; a fraction f is one
/// more clerk who works the first f·H hours of each day. Each clerk is absent on a working day with the absence rate,
/// drawn anew each day. A free clerk takes the first waiting case in <see cref="ClaimOrder"/>; work that does not fit
/// into the clerk's day goes on at the start of the clerk's next day present (the case stays with the clerk).
/// </para>
/// <para>
/// Reproducible: the same input, days and seed give the same result on the same .NET version (<c>new Random(seed)</c>
/// derives one stream per partner's service for its arrivals and work times, and one for its clerks' absences; .NET
/// does not promise the sequence of a seeded <see cref="Random"/> across versions). The alone and the pooled run see
/// the same cases and the same absences (common random numbers), so their difference is not noise of the draw.
/// </para>
/// </summary>
public static class YearSimulation
{
    public static SimulationResult Run(SimulationInput input, int days, int seed)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.Validate(days);
        var calendar = Calendar.Build(input, days);

        // One group per partner's service, in input order; each with its own two seeds.
        var master = new Random(seed);
        var groups = new List<GroupSpec>();
        foreach (var partner in input.Partners)
            foreach (var service in partner.Services)
                groups.Add(new GroupSpec(partner.Name, service, master.Next(), master.Next()));

        var alone = new List<PartnerServiceFigures>(groups.Count);
        foreach (var g in groups)
        {
            var engine = new Engine([g], input.HoursPerDay, calendar);
            engine.Run();
            alone.Add(new PartnerServiceFigures(g.Partner, g.Service.Service, g.Service.StaffFte, engine.Figures([0])));
        }

        var pooled = new List<PoolFigures>();
        foreach (var slug in groups.Select(g => g.Service.Service).Distinct(StringComparer.Ordinal))
        {
            var members = groups.Where(g => g.Service.Service == slug).ToArray();
            var engine = new Engine(members, input.HoursPerDay, calendar);
            engine.Run();
            var all = Enumerable.Range(0, members.Length).ToArray();
            pooled.Add(new PoolFigures(slug, members.Sum(m => m.Service.StaffFte), engine.Figures(all),
                members.Select((m, i) => new PartnerServiceFigures(m.Partner, slug, m.Service.StaffFte, engine.Figures([i]))).ToList()));
        }
        return new SimulationResult(seed, days, calendar.WorkingDays, input.HoursPerDay, alone, pooled);
    }

    private sealed record GroupSpec(string Partner, SimulationService Service, int ArrivalSeed, int AbsenceSeed);

    /// <summary>The working days of the run and each one's share of a year's cases.</summary>
    private sealed class Calendar
    {
        public required int Days { get; init; }
        public required int WorkingDays { get; init; }
        /// <summary>Per working day: expected cases of that day per case per year.</summary>
        public required double[] DayShare { get; init; }

        public static Calendar Build(SimulationInput input, int days)
        {
            static double Weight(SimulationInput input, DateOnly d) => d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday
                ? 0
                : input.WeekdayProfile[(int)d.DayOfWeek - 1] * input.SeasonalProfile[d.Month - 1];
            // The reference year: the first 365 calendar days expect exactly CasesPerYear cases.
            double total = 0;
            for (var i = 0; i < 365; i++) total += Weight(input, input.StartDate.AddDays(i));
            var shares = new List<double>(days);
            for (var i = 0; i < days; i++)
            {
                var d = input.StartDate.AddDays(i);
                if (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
                shares.Add(Weight(input, d) / total);
            }
            return new Calendar { Days = days, WorkingDays = shares.Count, DayShare = [.. shares] };
        }
    }

    /// <summary>Counts of one group (a partner's service) in one run.</summary>
    private sealed class Stats
    {
        public long Arrived, Completed, Late, Started, Waited, OpenOverdueAtEnd;
        public double WaitSum, BacklogSum;
        public double[] Processing;
        public Stats(double expectedCases) => Processing = new double[(int)Math.Min(Math.Ceiling(expectedCases * 1.05) + 1024, 1 << 26)];
        public void AddProcessing(double hours)
        {
            if (Completed == Processing.Length) Array.Resize(ref Processing, Processing.Length * 2);
            Processing[Completed] = hours;
        }
        public long Open => Arrived - Completed;
    }

    /// <summary>
    /// One queue (one group alone, or the groups of a pool) and its clerks. All state is in arrays sized once (case
    /// slots are reused; arrays grow by doubling when the open cases outgrow them), so the event loop allocates only
    /// inside the two priority queues when they grow.
    /// </summary>
    private sealed class Engine
    {
        private readonly double _h;
        private readonly Calendar _calendar;
        // groups
        private readonly int _groupCount;
        private readonly Random[] _arrivalRandom, _absenceRandom;
        private readonly double[] _casesPerYear, _meanHours;
        private readonly bool[] _fixed;
        private readonly int[] _target, _clerkFrom, _clerkTo;
        private readonly Stats[] _stats;
        // clerks
        private readonly int _clerkCount;
        private readonly double[] _shiftLength, _absence, _remaining, _shiftEnd;
        private readonly int[] _clerkCase, _idle;
        private int _idleCount;
        // case slots
        private double[] _arrival = new double[1024], _work = new double[1024];
        private int[] _due = new int[1024], _group = new int[1024], _free = new int[1024];
        private int _freeCount, _slotCount;
        private long _received;
        // Events by time; ties resolve the same way in every run because the heap is deterministic for the same operations.
        private readonly PriorityQueue<int, double> _events = new();
        private readonly PriorityQueue<int, ClaimKey> _claims = new();

        public Engine(GroupSpec[] groups, double hoursPerDay, Calendar calendar)
        {
            _h = hoursPerDay;
            _calendar = calendar;
            _groupCount = groups.Length;
            _arrivalRandom = new Random[_groupCount];
            _absenceRandom = new Random[_groupCount];
            _casesPerYear = new double[_groupCount];
            _meanHours = new double[_groupCount];
            _fixed = new bool[_groupCount];
            _target = new int[_groupCount];
            _clerkFrom = new int[_groupCount];
            _clerkTo = new int[_groupCount];
            _stats = new Stats[_groupCount];
            var shifts = new List<(double Length, double Absence)>();
            for (var g = 0; g < _groupCount; g++)
            {
                var s = groups[g].Service;
                _arrivalRandom[g] = new Random(groups[g].ArrivalSeed);
                _absenceRandom[g] = new Random(groups[g].AbsenceSeed);
                _casesPerYear[g] = s.CasesPerYear;
                _meanHours[g] = s.MinutesPerCase / 60.0;
                _fixed[g] = s.Distribution == WorkDistribution.Fixed;
                _target[g] = s.TargetWorkingDays;
                _stats[g] = new Stats(s.CasesPerYear * calendar.Days / 365.0);
                _clerkFrom[g] = shifts.Count;
                // Whole FTEs are full days; the fraction (ignoring float dust below 1e-9) is one part-time clerk.
                var whole = (int)Math.Floor(s.StaffFte + 1e-9);
                for (var i = 0; i < whole; i++) shifts.Add((hoursPerDay, s.AbsenceRate));
                var fraction = s.StaffFte - whole;
                if (fraction > 1e-9) shifts.Add((fraction * hoursPerDay, s.AbsenceRate));
                _clerkTo[g] = shifts.Count;
            }
            _clerkCount = shifts.Count;
            _shiftLength = shifts.Select(x => x.Length).ToArray();
            _absence = shifts.Select(x => x.Absence).ToArray();
            _remaining = new double[_clerkCount];
            _shiftEnd = new double[_clerkCount];
            _clerkCase = Enumerable.Repeat(-1, _clerkCount).ToArray();
            _idle = new int[_clerkCount];
        }

        public void Run()
        {
            var present = new bool[_clerkCount];
            for (var day = 0; day < _calendar.WorkingDays; day++)
            {
                var start = day * _h;
                var end = start + _h;
                // Who is there today: one draw per clerk and day, from the group's own stream.
                for (var g = 0; g < _groupCount; g++)
                    for (var k = _clerkFrom[g]; k < _clerkTo[g]; k++)
                        present[k] = _absenceRandom[g].NextDouble() >= _absence[k];
                _idleCount = 0;
                for (var k = _clerkCount - 1; k >= 0; k--)
                {
                    if (!present[k]) continue;
                    _shiftEnd[k] = start + _shiftLength[k];
                    if (_clerkCase[k] >= 0) Work(k, start, _remaining[k]);
                    else _idle[_idleCount++] = k;
                }
                while (_claims.Count > 0)
                {
                    var k = TakeIdle(start);
                    if (k < 0) break;
                    Assign(k, _claims.Dequeue(), start);
                }
                for (var g = 0; g < _groupCount; g++) ScheduleArrival(g, start, end, day);

                while (_events.TryDequeue(out var e, out var time))
                {
                    if (e < 0) Arrive(~e, time, end, day);
                    else Complete(e, time, day);
                }
                for (var g = 0; g < _groupCount; g++) _stats[g].BacklogSum += _stats[g].Open;
            }
            // Open cases at the end of the last working day that can no longer meet their due day (due on it or before).
            var lastDay = _calendar.WorkingDays - 1;
            for (var slot = 0; slot < _slotCount; slot++)
                if (_group[slot] >= 0 && _due[slot] <= lastDay) _stats[_group[slot]].OpenOverdueAtEnd++;
        }

        private double Rate(int g, int day) => _casesPerYear[g] * _calendar.DayShare[day] / _h;

        /// <summary>The next arrival of group g after t, if it falls into today (the rate is constant within a day, so
        /// the exponential gap is exact; an overshoot is discarded and the next day draws afresh — memorylessness).</summary>
        private void ScheduleArrival(int g, double t, double end, int day)
        {
            var rate = Rate(g, day);
            if (rate <= 0) return;
            var next = t - Math.Log(1.0 - _arrivalRandom[g].NextDouble()) / rate;
            if (next < end) _events.Enqueue(~g, next);
        }

        private void Arrive(int g, double t, double end, int day)
        {
            var work = _fixed[g] ? _meanHours[g] : -_meanHours[g] * Math.Log(1.0 - _arrivalRandom[g].NextDouble());
            ScheduleArrival(g, t, end, day);
            var slot = NewSlot();
            _arrival[slot] = t;
            _work[slot] = work;
            _due[slot] = day + _target[g];
            _group[slot] = g;
            _stats[g].Arrived++;
            var k = TakeIdle(t);
            if (k >= 0) Assign(k, slot, t);
            else
            {
                var n = _received++;
                _claims.Enqueue(slot, new ClaimKey(_due[slot], n, n));
            }
        }

        private void Complete(int k, double t, int day)
        {
            var slot = _clerkCase[k];
            var s = _stats[_group[slot]];
            s.AddProcessing(t - _arrival[slot]);
            s.Completed++;
            if (day > _due[slot]) s.Late++;
            _group[slot] = -1;
            _free[_freeCount++] = slot;
            _clerkCase[k] = -1;
            if (t >= _shiftEnd[k]) return; // off for today
            if (_claims.Count > 0) Assign(k, _claims.Dequeue(), t);
            else _idle[_idleCount++] = k;
        }

        /// <summary>A free clerk still in shift at t, or -1. Clerks whose shift has ended are dropped until tomorrow.</summary>
        private int TakeIdle(double t)
        {
            while (_idleCount > 0)
            {
                var k = _idle[--_idleCount];
                if (_shiftEnd[k] > t) return k;
            }
            return -1;
        }

        private void Assign(int k, int slot, double t)
        {
            var s = _stats[_group[slot]];
            var wait = t - _arrival[slot];
            s.Started++;
            s.WaitSum += wait;
            if (wait > 0) s.Waited++;
            _clerkCase[k] = slot;
            Work(k, t, _work[slot]);
        }

        /// <summary>Clerk k works on its case from t: done today (completion event) or carried to its next day present.</summary>
        private void Work(int k, double t, double remaining)
        {
            if (t + remaining <= _shiftEnd[k])
            {
                _remaining[k] = 0;
                _events.Enqueue(k, t + remaining);
            }
            else _remaining[k] = remaining - (_shiftEnd[k] - t);
        }

        private int NewSlot()
        {
            if (_freeCount > 0) return _free[--_freeCount];
            if (_slotCount == _arrival.Length)
            {
                var n = _arrival.Length * 2;
                Array.Resize(ref _arrival, n);
                Array.Resize(ref _work, n);
                Array.Resize(ref _due, n);
                Array.Resize(ref _group, n);
                Array.Resize(ref _free, n);
            }
            return _slotCount++;
        }

        /// <summary>The figures of the given groups together.</summary>
        public QueueFigures Figures(int[] groups)
        {
            long arrived = 0, completed = 0, late = 0, started = 0, waited = 0, overdueOpen = 0, open = 0;
            double waitSum = 0, backlogSum = 0;
            foreach (var g in groups)
            {
                var s = _stats[g];
                arrived += s.Arrived; completed += s.Completed; late += s.Late; started += s.Started; waited += s.Waited;
                overdueOpen += s.OpenOverdueAtEnd; open += s.Open; waitSum += s.WaitSum; backlogSum += s.BacklogSum;
            }
            var times = new double[completed];
            long at = 0;
            foreach (var g in groups)
            {
                Array.Copy(_stats[g].Processing, 0, times, at, _stats[g].Completed);
                at += _stats[g].Completed;
            }
            double? p50 = completed > 0 ? NearestRank(times, 0.5) : null;
            double? p90 = completed > 0 ? NearestRank(times, 0.9) : null;
            var overdueBase = completed + overdueOpen;
            return new QueueFigures(
                arrived, completed, p50, p90, p50 / _h, p90 / _h,
                started > 0 ? waitSum / started : null,
                started > 0 ? (double)waited / started : 0,
                open,
                _calendar.WorkingDays > 0 ? backlogSum / _calendar.WorkingDays : 0,
                overdueBase > 0 ? (double)(late + overdueOpen) / overdueBase : 0,
                completed * 365.0 / _calendar.Days);
        }

        /// <summary>The nearest-rank percentile: the ⌈p·n⌉-th smallest value (found by selection; reorders the array).</summary>
        private static double NearestRank(double[] values, double p) => Select(values, Math.Max(0, (int)Math.Ceiling(p * values.Length) - 1));

        /// <summary>The k-th smallest (0-based) by quickselect (Hoare partition, middle pivot): expected O(n).</summary>
        private static double Select(double[] a, int k)
        {
            int lo = 0, hi = a.Length - 1;
            while (lo < hi)
            {
                var pivot = a[lo + (hi - lo) / 2];
                int i = lo, j = hi;
                while (i <= j)
                {
                    while (a[i] < pivot) i++;
                    while (a[j] > pivot) j--;
                    if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
                }
                if (k <= j) hi = j;
                else if (k >= i) lo = i;
                else return a[k];
            }
            return a[k];
        }
    }
}
